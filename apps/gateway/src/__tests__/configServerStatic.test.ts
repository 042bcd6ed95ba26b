// `egts server --config` with a ConfigServer resource provider (an egts addition to EnvoyGateway):
// the config server over HTTPS with required client certificates (mTLS), feeding the pipeline.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './runCli.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-config-server-static-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makePki() {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=ca']);
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl([
      'req',
      ...ec,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${name}`,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    ]);
  }
}

/** One HTTPS request; `client` adds the client certificate. Rejects when the handshake fails. */
function https(
  port: number,
  method: string,
  path: string,
  body: string | undefined,
  client: boolean,
): Promise<{ status: number; body: string }> {
  const read = (file: string) => readFileSync(join(dir, file));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ca: read('ca.crt'),
        ...(client ? { cert: read('client.crt'), key: read('client.key') } : {}),
        headers: { 'content-type': 'application/yaml' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('egts server with a ConfigServer provider', () => {
  it('says the configServer block is required', () => {
    const config = join(dir, 'missing.yaml');
    writeFileSync(
      config,
      `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyGateway
provider: {type: Custom, custom: {resource: {type: ConfigServer}}}
`,
    );
    const result = runCli(['server', '--config', config]);
    expect(result.stderr).toContain('provider.custom.resource.configServer is required');
    expect(result.status).toBe(1);
  });

  it('egts run refuses a config server without authentication, and needs files or a config server', () => {
    const open = runCli(['run', '--config-server', '127.0.0.1:0', '--config-server-data', dir]);
    expect(open.stderr).toContain('refusing to serve without authentication');
    expect(open.status).toBe(1);
    const neither = runCli(['run']);
    expect(neither.stderr).toContain('give either -f/--filename or --config-server');
    expect(neither.status).toBe(1);
  });

  it('serves writes from clients with a certificate over mTLS, refuses others', async () => {
    makePki();
    const config = join(dir, 'eg.yaml');
    writeFileSync(
      config,
      `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyGateway
provider:
  type: Custom
  custom:
    resource:
      type: ConfigServer
      configServer:
        http: {host: 127.0.0.1, port: 0}
        dataDir: ${join(dir, 'data')}
        tls: {certFile: ${join(dir, 'server.crt')}, keyFile: ${join(dir, 'server.key')}, clientCAFile: ${join(dir, 'ca.crt')}}
admin: {address: {host: 127.0.0.1, port: 0}}
`,
    );
    const egts = await startCli(['server', '--config', config, '--xds-address', '127.0.0.1:0']);
    try {
      const port = Number(/"httpPort":(\d+)/.exec(egts.output())?.[1]);
      await expect(https(port, 'GET', '/v1/resources', undefined, false)).rejects.toThrow();
      const applied = await https(
        port,
        'POST',
        '/v1/resources',
        `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
`,
        true,
      );
      expect(applied.status).toBe(200);
      let statuses: Array<{ kind: string }> = [];
      for (let i = 0; i < 100 && statuses.length === 0; i++) {
        const res = await https(port, 'GET', '/v1/statuses', undefined, true);
        statuses = (JSON.parse(res.body) as { items: typeof statuses }).items;
        if (statuses.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(statuses.map((s) => s.kind)).toEqual(['GatewayClass']);
    } finally {
      expect(await egts.stop()).toBe(0);
    }
  });
});
