// Amazon API Gateway access logs (REST and HTTP APIs). The log line is a template of $context
// variables the API owner chose; pass it with --log-pattern (JSON or text, as configured on the
// stage) to read any layout. Without it, JSON lines are read with the console presets' keys and the
// usual names for the auth variables (principalId, claims, apiKeyId, error.responseType, …).
// API Gateway endpoints accept HTTPS only, so the scheme is https.
// References: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
//             https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference
//             https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
import { UserError } from '../../errors.js';
import { linePlan, mergeCoalesced, regexParser, type LineParser, type Mapped } from './compose.js';
import type { LogFormat, ParseContext, ParsePlan, RawField } from './format.js';
import { templateParser } from './json.js';
import { compilePattern, tokenizeWith, type PatternToken } from './pattern-regex.js';

/** Gateway response types that are authentication or authorization failures. */
const AUTH_RESPONSE_TYPES = [
  'UNAUTHORIZED', 'ACCESS_DENIED', 'EXPIRED_TOKEN', 'INVALID_API_KEY', 'INVALID_SIGNATURE', 'MISSING_AUTHENTICATION_TOKEN',
  'AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR', 'API_CONFIGURATION_ERROR_AUTH',
];

const CLAIMS: Record<string, RawField> = { sub: 'claim_sub', iss: 'claim_iss', jti: 'claim_jti', exp: 'claim_exp', iat: 'claim_iat' };
const USER_CLAIMS = ['username', 'cognito:username', 'preferred_username', 'email', 'client_id'];

/** What one $context variable feeds. */
function contextVariable(name: string, v: string): Mapped | undefined {
  const n = name.replace(/^\$context\./, '').replace(/\['([^']+)'\]/g, '.$1');
  const claim = /^authorizer\.(?:jwt\.)?claims\.(.+)$/.exec(n)?.[1];
  if (claim) {
    const field = CLAIMS[claim];
    if (field) return { fields: { [field]: field === 'claim_exp' || field === 'claim_iat' ? `aa_claim_ts(${v})` : v } };
    const rank = USER_CLAIMS.indexOf(claim);
    return rank >= 0 ? { fields: { principal: v }, rank: 10 - rank } : undefined;
  }
  switch (n) {
    case 'requestTime':
      return { fields: { ts: `aa_clf_ts(${v})` }, rank: 1 };
    case 'requestTimeEpoch':
      return { fields: { ts: `aa_epoch_ts(TRY_CAST(${v} AS DOUBLE) / 1000)` }, rank: 2 };
    case 'identity.sourceIp':
      return { fields: { client_ip: v } };
    case 'httpMethod':
      return { fields: { method: v }, rank: 1 };
    case 'path':
      return { fields: { path: v }, rank: 2 };
    case 'resourcePath':
      return { fields: { path: v }, rank: 1 };
    case 'routeKey': // "GET /pets/{id}" or "$default"
      return { fields: { method: `nullif(split_part(${v}, ' ', 1), '$default')`, path: `nullif(split_part(${v}, ' ', 2), '')` }, rank: 0 };
    case 'status':
      return { fields: { status: v } };
    case 'responseLength':
      return { fields: { bytes: v } };
    case 'protocol':
      return { fields: { http_version: `regexp_replace(${v}, '^HTTP/', '')` } };
    case 'identity.userAgent':
      return { fields: { user_agent: v } };
    case 'domainName':
      return { fields: { host: v } };
    case 'responseLatency':
      return { fields: { duration_ms: `TRY_CAST(${v} AS DOUBLE)` } };
    case 'authorizer.principalId':
      return { fields: { principal: v }, rank: 20 };
    case 'identity.userArn':
      return { fields: { principal: v }, rank: 3 };
    case 'identity.user':
      return { fields: { principal: v }, rank: 2 };
    case 'identity.caller':
    case 'identity.cognitoIdentityId':
      return { fields: { principal: v }, rank: 1 };
    case 'identity.apiKeyId':
      return { fields: { credential_id: v } };
    case 'identity.apiKey':
      return { fields: { api_key: v } };
    case 'error.responseType':
      return { fields: { auth_error: `CASE WHEN list_contains([${AUTH_RESPONSE_TYPES.map((t) => `'${t}'`).join(', ')}], ${v}) THEN ${v} END` }, rank: 2 };
    case 'authorizer.error':
      return { fields: { auth_error: v }, rank: 1 };
    default:
      return undefined;
  }
}

/** $context.a.b or $context.a.claims['x:y'] (a sentence-ending dot is not part of it). */
const VARIABLE_RE = /\$context(?:\.[A-Za-z0-9_]+|\['[^']+'\])+/g;

export function tokenizeApiGatewayFormat(pattern: string): PatternToken[] {
  return tokenizeWith(pattern, VARIABLE_RE, (m) => m[0]);
}

/** The console's JSON presets plus the names people give the auth variables, flat and nested. */
const DEFAULT_TEMPLATE = {
  requestTime: '$context.requestTime', requestTimeEpoch: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp', sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod', path: '$context.path', resourcePath: '$context.resourcePath', routeKey: '$context.routeKey',
  status: '$context.status', protocol: '$context.protocol', responseLength: '$context.responseLength',
  userAgent: '$context.identity.userAgent', domainName: '$context.domainName', responseLatency: '$context.responseLatency',
  user: '$context.identity.user', caller: '$context.identity.caller', userArn: '$context.identity.userArn',
  principalId: '$context.authorizer.principalId', apiKeyId: '$context.identity.apiKeyId',
  errorResponseType: '$context.error.responseType', responseType: '$context.error.responseType', authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub', username: '$context.authorizer.claims.username', exp: '$context.authorizer.claims.exp',
  iat: '$context.authorizer.claims.iat', iss: '$context.authorizer.claims.iss', jti: '$context.authorizer.claims.jti',
  identity: {
    sourceIp: '$context.identity.sourceIp', userAgent: '$context.identity.userAgent', user: '$context.identity.user',
    caller: '$context.identity.caller', userArn: '$context.identity.userArn', apiKeyId: '$context.identity.apiKeyId',
  },
  authorizer: {
    principalId: '$context.authorizer.principalId', error: '$context.authorizer.error',
    claims: Object.fromEntries([...Object.keys(CLAIMS), ...USER_CLAIMS].map((c) => [c, c.includes(':') ? `$context.authorizer.claims['${c}']` : `$context.authorizer.claims.${c}`])),
  },
  error: { responseType: '$context.error.responseType' },
};

function textParser(pattern: string): LineParser {
  const tokens = tokenizeApiGatewayFormat(pattern);
  const variables = tokens.flatMap((t) => (t.kind === 'capture' ? [t.name] : []));
  if (!variables.some((v) => v.startsWith('$context.requestTime'))) {
    throw new UserError('usage', '--log-pattern must log $context.requestTime or $context.requestTimeEpoch');
  }
  const named = tokens.map((t, i): PatternToken => (t.kind === 'capture' ? { kind: 'capture', name: `c${i}` } : t));
  // several variables may name the caller (authorizer principal, IAM user, caller): the first logged one
  const fields = mergeCoalesced(tokens.map((t, i) => (t.kind === 'capture' ? contextVariable(t.name, `nullif(m.c${i}, '-')`) : undefined)));
  return regexParser(compilePattern(named), 'API Gateway access log format', fields);
}

export const awsApiGateway: LogFormat = {
  id: 'aws-apigateway',
  title: 'Amazon API Gateway access log (REST and HTTP APIs)',
  description:
    'API Gateway access logs: the stage\'s access log format (JSON or text, $context variables) passed with --log-pattern, else JSON lines with the console presets\' keys. authorizer.principalId / claims.* give the principal and JWT claims, identity.apiKeyId the credential id, error.responseType (UNAUTHORIZED, EXPIRED_TOKEN, MISSING_AUTHENTICATION_TOKEN, …) auth_error. Scheme: https (API Gateway endpoints accept HTTPS only).',
  capabilities: { scheme: 'always', credential: 'if-configured', principal: 'if-configured', clientIp: 'always' },
  acceptsPattern: true,
  parallelSafe: true,
  plan(context: ParseContext): ParsePlan {
    const pattern = context.logPattern?.trim();
    const parser = !pattern
      ? templateParser(JSON.stringify(DEFAULT_TEMPLATE), 'an API Gateway access log entry', tokenizeApiGatewayFormat, contextVariable, {
          aliases: true,
          head: context.head,
          accept: (j) => `${j.first([['requestId'], ['extendedRequestId']])} IS NOT NULL AND ${j.first([['httpMethod'], ['routeKey']])} IS NOT NULL AND ${j.first([['status']])} IS NOT NULL`,
        })
      : pattern.startsWith('{')
        ? templateParser(pattern, 'API Gateway access log format', tokenizeApiGatewayFormat, contextVariable, { aliases: true })
        : textParser(pattern);
    parser.fields.scheme = `'https'`;
    parser.notes = [...(parser.notes ?? []), 'scheme is https: API Gateway endpoints accept HTTPS only'];
    return linePlan(context.lines, [parser], { unmatched: 'line is not an API Gateway JSON access log entry' });
  },
};
