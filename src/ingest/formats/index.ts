// The format registry: one module per format family. Auto-detection tries them in this order.
import { UserError } from '../../errors.js';
import type { LogFormat } from './format.js';
import { apache } from './apache.js';
import { awsApiGateway } from './aws-apigateway.js';
import { awsCloudfront } from './aws-cloudfront.js';
import { azureApim, azureAppGateway } from './azure.js';
import { gcpLb } from './gcp-lb.js';
import { csv, jsonl } from './generic.js';
import { awsAlb, awsElb } from './aws-elb.js';
import { caddy } from './caddy.js';
import { envoy } from './envoy.js';
import { haproxy } from './haproxy.js';
import { iis } from './iis.js';
import { kong } from './kong.js';
import { traefik } from './traefik.js';
import { nginx } from './nginx.js';

/** Auto-detection tries these in order and a tie goes to the earlier: specific before generic. */
export const FORMATS: readonly LogFormat[] = [awsAlb, awsElb, awsCloudfront, iis, haproxy, traefik, envoy, caddy, kong, gcpLb, azureAppGateway, azureApim, awsApiGateway, nginx, apache, csv, jsonl];

export function findFormat(id: string): LogFormat {
  const format = FORMATS.find((f) => f.id === id);
  if (!format) {
    throw new UserError('usage', `unknown log type "${id}" (known: ${FORMATS.map((f) => f.id).join(', ')}; see apiaudit formats)`);
  }
  return format;
}

export type { LogFormat, ParsePlan, ParseContext, RawField, FormatCapabilities } from './format.js';
