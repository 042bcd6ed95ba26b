// EnvoyProxy `backendTLS` through real Envoy: toward a backend reached over TLS (BackendTLSPolicy),
// the Gateway's proxy presents the EnvoyProxy's client certificate and offers its TLS parameters
// (TLS 1.2 at most, one cipher suite). The backend requires a client certificate from its CA and
// reports what it saw: the certificate's CN, the TLS version and the cipher. A route on a Gateway
// without that EnvoyProxy reaches the same backend without a certificate and is refused (503).
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Certificate, clientCertificate, selfSigned } from '../internal/certificates.js';
import { freePort } from '../internal/freePort.js';
import { get } from './backendTrafficFixture.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const indent = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

const manifests = (
  ports: { proxied: number; plain: number; backend: number },
  backendCert: Certificate,
  proxyClient: Certificate,
  withProxy: boolean,
) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: backend-tls, namespace: default}
spec:
  backendTLS:
    clientCertificateRef: {name: proxy-client}
    maxVersion: "1.2"
    ciphers: [ECDHE-RSA-AES256-GCM-SHA384]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
${withProxy ? '  infrastructure: {parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: backend-tls}}\n' : ''}  listeners: [{name: http, protocol: HTTP, port: ${withProxy ? ports.proxied : ports.plain}}]
---
apiVersion: v1
kind: Secret
metadata: {name: proxy-client, namespace: default}
type: kubernetes.io/tls
data: {tls.crt: ${b64(proxyClient.cert)}, tls.key: ${b64(proxyClient.key)}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: backend-ca, namespace: default}
data:
  ca.crt: |
${indent(backendCert.cert)}
---
apiVersion: v1
kind: Service
metadata: {name: tls-backend, namespace: default}
spec: {ports: [{name: https, port: ${ports.backend}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: tls-backend-1, namespace: default, labels: {kubernetes.io/service-name: tls-backend}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: https, port: ${ports.backend}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: tls, namespace: default}
spec:
  targetRefs: [{group: "", kind: Service, name: tls-backend}]
  validation:
    caCertificateRefs: [{group: "", kind: ConfigMap, name: backend-ca}]
    hostname: backend.example.com
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: tls-backend, port: ${ports.backend}}]}]
`;

describe('[envoy] EnvoyProxy backendTLS', () => {
  let backend: Server;
  const envoys: EnvoyHandle[] = [];
  const ports = { proxied: 0, plain: 0, backend: 0 };

  beforeAll(async () => {
    ports.proxied = await freePort();
    ports.plain = await freePort();
    ports.backend = await freePort();
    const backendCert = selfSigned(['backend.example.com']);
    const clientCa = selfSigned(['proxy-client-ca.example.com']);
    const proxyClient = clientCertificate(clientCa, 'egts-proxy');
    backend = createServer(
      {
        cert: backendCert.cert,
        key: backendCert.key,
        ca: clientCa.cert,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            client: socket.getPeerCertificate().subject?.CN,
            protocol: socket.getProtocol(),
            cipher: socket.getCipher().name,
          }),
        );
      },
    );
    await new Promise<void>((resolve) => backend.listen(ports.backend, '127.0.0.1', resolve));
    for (const withProxy of [true, false]) {
      const { resources, problems } = loadResourcesFromText(
        manifests(ports, backendCert, proxyClient, withProxy),
        'backend-tls.yaml',
      );
      expect(problems).toEqual([]);
      const result = translate(resources);
      const envoyProxy = result.statuses.find((s) => s.kind === 'EnvoyProxy');
      if (withProxy) expect(JSON.stringify(envoyProxy?.status)).toContain('"reason":"Accepted"');
      const ir = result.xdsIR[0];
      if (ir === undefined) throw new Error('no xDS IR');
      const envoy = startEnvoy({
        config: bootstrapToJson(translateBootstrap(ir)) as object,
        logLevel: 'warn',
      });
      envoys.push(envoy);
      await envoy.ready(60_000);
    }
  }, 120_000);

  afterAll(async () => {
    for (const envoy of envoys) await envoy.stop();
    backend?.close();
  });

  it("presents the EnvoyProxy's client certificate to TLS backends with its TLS parameters", async () => {
    const reply = await get(ports.proxied, '/');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({
      client: 'egts-proxy',
      protocol: 'TLSv1.2',
      cipher: 'ECDHE-RSA-AES256-GCM-SHA384',
    });
    // Without the EnvoyProxy: no client certificate, the backend refuses the handshake.
    expect((await get(ports.plain, '/')).status).toBe(503);
  });
});
