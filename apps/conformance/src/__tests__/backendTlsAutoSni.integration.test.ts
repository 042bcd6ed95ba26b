// A Backend's `tls.autoSNIFromEndpointHostname` through real Envoy: the SNI of each upstream TLS
// connection is the hostname of the endpoint connected to (Envoy's auto_host_sni), and the
// backend's certificate must name it (auto_sni_san_validation). One TLS server stands behind
// three Backends: an FQDN endpoint (its DNS name is the hostname), an IP endpoint carrying the
// hostname its certificate names, and an IP endpoint carrying a hostname it does not name. The
// server records the SNI of every handshake.
import { createServer, type Server } from 'node:https';
import { createSecureContext, type TLSSocket } from 'node:tls';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Certificate, selfSigned } from '../internal/certificates.js';
import { freePort } from '../internal/freePort.js';
import { gatewayManifests, get } from './backendTrafficFixture.js';

const indent = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

const backend = (name: string, endpoint: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: ${name}, namespace: default}
spec:
  endpoints: [${endpoint}]
  tls:
    autoSNIFromEndpointHostname: true
    caCertificateRefs: [{group: "", kind: ConfigMap, name: backend-ca}]
`;

/** The Backends by name, with their one endpoint. */
const endpoints = (port: number): Record<string, string> => ({
  'by-fqdn': `{fqdn: {hostname: localhost, port: ${port}}}`,
  'by-hostname': `{ip: {address: 127.0.0.1, port: ${port}}, hostname: backend.example.com}`,
  'wrong-hostname': `{ip: {address: 127.0.0.1, port: ${port}}, hostname: other.example.com}`,
});

const manifests = (gatewayPort: number, backendPort: number, cert: Certificate) => {
  const backends = Object.entries(endpoints(backendPort));
  const rules = backends.map(
    ([name]) =>
      `  - matches: [{path: {type: PathPrefix, value: /${name}}}]\n    backendRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: ${name}}]`,
  );
  return `${gatewayManifests(gatewayPort)}---
apiVersion: v1
kind: ConfigMap
metadata: {name: backend-ca, namespace: default}
data:
  ca.crt: |
${indent(cert.cert)}
${backends.map(([name, endpoint]) => backend(name, endpoint)).join('')}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
${rules.join('\n')}
`;
};

describe('[envoy] Backend tls.autoSNIFromEndpointHostname', () => {
  let server: Server;
  let envoy: EnvoyHandle | undefined;
  let gatewayPort = 0;
  /** The SNI of every handshake the backend saw, answered or not. */
  const handshakes: string[] = [];

  beforeAll(async () => {
    gatewayPort = await freePort();
    const backendPort = await freePort();
    const cert = selfSigned(['backend.example.com', 'localhost']);
    const context = createSecureContext({ cert: cert.cert, key: cert.key });
    server = createServer(
      {
        cert: cert.cert,
        key: cert.key,
        // Every handshake's SNI, including those Envoy abandons after reading the certificate.
        SNICallback: (servername, done) => {
          handshakes.push(servername);
          done(null, context);
        },
      },
      (req, res) => res.end((req.socket as TLSSocket).servername || ''),
    );
    // Both families: Envoy may resolve localhost to either.
    await new Promise<void>((resolve) => server.listen(backendPort, resolve));
    const { resources, problems } = loadResourcesFromText(
      manifests(gatewayPort, backendPort, cert),
      'auto-sni.yaml',
    );
    expect(problems).toEqual([]);
    // The proxy runs on this host: Backends may name it.
    const result = translate(resources, { allowLoopbackBackends: true });
    const backends = result.statuses.filter((s) => s.kind === 'Backend');
    expect(backends).toHaveLength(3);
    for (const { status } of backends)
      expect(JSON.stringify(status)).toContain('"type":"Accepted","status":"True"');
    const ir = result.xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir)) as object,
      logLevel: 'warn',
    });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    server?.close();
  });

  it("sends each endpoint's hostname as SNI and checks the certificate names it", async () => {
    // An FQDN endpoint: its DNS name.
    const fqdn = await get(gatewayPort, '/by-fqdn');
    expect(fqdn.status).toBe(200);
    expect(fqdn.body).toBe('localhost');
    // An IP endpoint: the hostname it carries.
    const named = await get(gatewayPort, '/by-hostname');
    expect(named.status).toBe(200);
    expect(named.body).toBe('backend.example.com');
    // A hostname the certificate does not name: the handshake is sent with it and refused.
    const before = handshakes.length;
    expect((await get(gatewayPort, '/wrong-hostname')).status).toBe(503);
    expect(handshakes.slice(before)).toContain('other.example.com');
  });
});
