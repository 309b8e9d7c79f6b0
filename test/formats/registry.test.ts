// The format registry and `apiaudit formats`: every log type the issue names is there, in the
// order detection tries them (specific before generic), with what it carries.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { FORMATS } from '../../src/ingest/index.js';

const IDS = [
  'aws-alb', 'aws-elb', 'aws-cloudfront', 'iis', 'haproxy', 'traefik', 'envoy', 'caddy', 'kong', 'gcp-lb', 'azure-appgw', 'azure-apim',
  'aws-apigateway', 'nginx', 'apache', 'csv', 'jsonl',
];

describe('format registry', () => {
  it('has every format family, specific ones before nginx/apache and the generic exports last', () => {
    expect(FORMATS.map((f) => f.id)).toEqual(IDS);
  });

  it('`apiaudit formats` lists each type with its title, what it carries and its description', async () => {
    let out = '';
    const code = await main(['formats'], { stdout: (t) => (out += t), stderr: () => undefined });
    expect(code).toBe(0);
    for (const f of FORMATS) {
      const block = out.slice(out.indexOf(`${f.id.padEnd(16)} ${f.title}\n`));
      expect(block, f.id).toMatch(new RegExp(`^${f.id} +${f.title.replace(/[()]/g, '\\$&')}\\n +scheme: ${f.capabilities.scheme}, credential: ${f.capabilities.credential}, principal: ${f.capabilities.principal}, client ip: ${f.capabilities.clientIp}`));
      expect(block.split('\n').slice(2).join(' ').replace(/\s+/g, ' '), f.id).toContain(f.description.split(/\s+/).slice(0, 6).join(' '));
    }
  });

  it('refuses an unknown --timezone as a usage error (exit 2)', async () => {
    let err = '';
    const code = await main(['scan', 'nowhere.log', '--timezone', 'Mars/Olympus'], { stdout: () => undefined, stderr: (t) => (err += t) });
    expect(code).toBe(2);
    expect(err).toMatch(/unknown time zone "Mars\/Olympus"/);
  });
});

describe('one scan over files of different types', () => {
  it('detects each file on its own and reports its coverage in JSON and HTML', async () => {
    const { runScan } = await import('../../src/cli/scan.js');
    const { fixture } = await import('../support/ingest.js');
    const files = [
      ['beats/nginx-ingress-controller/test.log', 'nginx'],
      ['beats/iis-w3c/test.log', 'iis'],
      ['crowdsec-hub/aws-alb/aws-alb-logs.log', 'aws-alb'],
      ['crowdsec-hub/envoy/envoy.log', 'envoy'],
      ['otel-contrib/azure-appgw/access-log.json', 'azure-appgw'],
      ['beats/haproxy/haproxy.log', 'haproxy'],
    ] as const;
    const paths = files.map(([f]) => fixture(f));
    const { render } = await import('../../src/report/index.js');
    const json = await runScan({ paths, failOn: 'never', version: 'test' });
    expect(json.report.inputs.map((i) => [i.log_type, i.rejected])).toEqual(files.map(([, type]) => [type, 0]));
    // the ingress-nginx upstreaminfo lines carry extra fields after the user agent: all 29 read
    expect(json.report.inputs[0]!.events).toBe(29);
    const html = await render(json.report, 'html');
    expect(html).toContain('HAProxy accept dates have no time zone: read as UTC');
    expect(html).toContain('no scheme: plain-http cannot be judged');
  });
});
