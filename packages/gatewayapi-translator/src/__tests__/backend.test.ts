// Envoy Gateway Backends: gated by extensionApis.enableBackend, and a Backend's own settings as
// they reach the xDS IR (TLS, protocol, fallback priority, Unix sockets, endpoint hostnames).
import { readFileSync } from 'node:fs';
import { loadResourcesFromText } from '@egts/api';
import type { DestinationSetting } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type TranslateOptions, translate } from '../index.js';
import { BASE, conds, type Status } from './translateYaml.js';

/** A valid serving certificate of the golden cases (foo.example.com). */
const fooCert = (() => {
  const text = readFileSync(
    new URL('../../testdata/listener-tls.in.yaml', import.meta.url),
    'utf8',
  );
  const secret = parseAllDocuments(text)
    .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string }; data?: object })
    .find((o) => o.kind === 'Secret' && o.metadata?.name === 'foo-cert');
  return secret?.data as { 'tls.crt': string; 'tls.key': string };
})();
const caPem = Buffer.from(fooCert['tls.crt'], 'base64').toString('utf8');

const route = (backend: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${backend}, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /${backend} } }]
    backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: ${backend} }]
`;

const YAML = `${BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: v1
kind: Secret
metadata: { name: client, namespace: default }
type: kubernetes.io/tls
data: { tls.crt: ${fooCert['tls.crt']}, tls.key: ${fooCert['tls.key']} }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: ca, namespace: default }
data:
  ca.crt: |
${caPem
  .trim()
  .split('\n')
  .map((line) => `    ${line}`)
  .join('\n')}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: tls, namespace: default }
spec:
  appProtocols: [gateway.envoyproxy.io/h2c]
  endpoints: [{ fqdn: { hostname: api.example.com, port: 443 }, hostname: api.example.com }]
  tls:
    caCertificateRefs: [{ group: "", kind: ConfigMap, name: ca }]
    clientCertificateRef: { name: client }
    minVersion: "1.3"
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: system, namespace: default }
spec:
  endpoints: [{ fqdn: { hostname: api.example.com, port: 443 } }]
  tls: { wellKnownCACertificates: System, sni: api.example.com, maxVersion: "1.2" }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: unix, namespace: default }
spec:
  fallback: true
  endpoints: [{ unix: { path: /var/run/backend.sock } }]
---
${route('tls')}
---
${route('system')}
---
${route('unix')}
`;

const run = (options: TranslateOptions = {}) => {
  const { resources } = loadResourcesFromText(YAML, 'test.yaml', { lenient: true });
  return translate(resources, { now: new Date('2030-01-01T00:00:00Z'), ...options });
};

const statusOf = (result: ReturnType<typeof run>, kind: string, name: string) =>
  result.statuses.find((s) => s.kind === kind && s.metadata.name === name)
    ?.status as unknown as Status;

const setting = (result: ReturnType<typeof run>, name: string): DestinationSetting | undefined =>
  result.xdsIR[0]?.http[0]?.routes.find((r) => r.name.includes(`/${name}/`))?.destination
    ?.settings[0];

describe('Backend', () => {
  it('is refused, and routes to it unresolved, unless the EnvoyGateway enables it', () => {
    const result = run({ extensionApis: {} });
    expect(conds(statusOf(result, 'Backend', 'tls').conditions)).toEqual({
      Invalid: 'False/Accepted',
    });
    expect(conds(statusOf(result, 'HTTPRoute', 'tls').parents[0]?.conditions)).toMatchObject({
      ResolvedRefs: 'False/InvalidKind',
    });
    expect(setting(result, 'tls')).toBeUndefined();
  });

  it('spec.tls becomes the upstream TLS', () => {
    const result = run({ extensionApis: { enableBackend: true } });
    expect(conds(statusOf(result, 'Backend', 'tls').conditions)).toEqual({
      Accepted: 'True/Accepted',
    });
    const tls = setting(result, 'tls');
    expect(tls?.protocol).toBe('HTTP2');
    expect(tls?.endpoints).toEqual([
      { host: 'api.example.com', port: 443, ready: true, hostname: 'api.example.com' },
    ]);
    expect(tls?.tls).toMatchObject({
      sni: '',
      autoSni: true,
      caCertificate: caPem,
      useSystemTrustStore: false,
      minVersion: '1.3',
      clientCertificate: { certificate: Buffer.from(fooCert['tls.crt'], 'base64').toString() },
    });
    expect(setting(result, 'system')?.tls).toMatchObject({
      sni: 'api.example.com',
      useSystemTrustStore: true,
      maxVersion: '1.2',
    });
    expect(setting(result, 'system')?.tls?.autoSni).toBeUndefined();
  });

  it('serves Unix socket endpoints, and fallback Backends at priority 1', () => {
    const unix = setting(run(), 'unix');
    expect(unix?.priority).toBe(1);
    expect(unix?.endpoints).toEqual([
      { host: '/var/run/backend.sock', port: 0, unixPath: '/var/run/backend.sock', ready: true },
    ]);
  });
});
