// Envoy Gateway's ClientTrafficPolicy e2e tests on TLS listeners (listenerset_client_traffic_policy.go,
// client_mtls.go, http3.go) re-expressed: handshakes with chosen versions, ciphers, curves and ALPN
// as the suite's dial helpers make them, client certificates, and HTTP/3 over QUIC.

import {
  accepted,
  type ConformanceTest,
  type GatewayRef,
  gw,
  infra,
  type StatusExpectation,
} from '../../conformanceTest.js';
import { findQuicPython, http3Get } from '../../internal/http3Client.js';
import { dialTls, type TlsDialOptions } from '../../internal/tlsDial.js';

const v1 = { backend: 'infra-backend-v1', namespace: infra } as const;

const policy = (name: string, gateway: GatewayRef): StatusExpectation => ({
  kind: 'ClientTrafficPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway, conditions: [{ type: 'Accepted', status: 'True' }] }],
});

/** Fails with `label` unless the handshake's outcome is `ok` (and, when given, its version). */
const expectHandshake = async (
  label: string,
  options: TlsDialOptions,
  ok: boolean,
  check?: (result: Awaited<ReturnType<typeof dialTls>>) => string | undefined,
): Promise<void> => {
  const result = await dialTls(options);
  if (result.ok !== ok)
    throw new Error(
      `${label}: handshake ${result.ok ? 'succeeded' : `failed (${result.error})`}, want ${ok ? 'success' : 'failure'}`,
    );
  const problem = result.ok && check ? check(result) : undefined;
  if (problem) throw new Error(`${label}: ${problem}`);
};

const listenerSet = gw('listener-set-http');
const listenerGateway = gw('listener-gateway');

export const listenerSetClientTrafficPolicy: ConformanceTest = {
  name: 'ListenerSetClientTrafficPolicy',
  description:
    'ClientTrafficPolicy targeting a ListenerSet enforces TLS minVersion on ListenerSet HTTPS listeners',
  features: ['ClientTrafficPolicy'],
  manifests: ['listenerset-base.yaml', 'listenerset-client-traffic-policy.yaml'],
  statuses: [policy('listenerset-ctp', listenerSet)],
  steps: async (harness) => {
    const port = harness.gatewayPort(listenerGateway, 18443);
    const base = { port, serverName: 'www.example.com' } as const;
    await harness.eventually('TLS to the ListenerSet listener', async () => {
      const result = await dialTls(base);
      return result.ok ? undefined : `handshake failed: ${result.error}`;
    });
    await expectHandshake(
      'tls 1.3 succeeds',
      { ...base, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
      true,
      (r) => (r.version === 'TLSv1.3' ? undefined : `negotiated ${r.version}`),
    );
    await expectHandshake(
      'tls 1.2 rejected by min version policy',
      { ...base, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' },
      false,
    );
  },
};

const mtlsGateway = gw('client-mtls-gateway');

export const clientMtls: ConformanceTest = {
  name: 'ClientMTLS',
  description: 'Use Gateway with Client MTLS policy',
  features: ['ClientTrafficPolicy'],
  manifests: ['client-mtls.yaml'],
  statuses: [
    ...accepted(mtlsGateway, ['http-client-mtls', 'http-client-tls-settings']),
    policy('ctp-client-mtls', mtlsGateway),
    policy('ctp-client-tls-settings', mtlsGateway),
  ],
  requests: [
    {
      gateway: mtlsGateway,
      request: {
        scheme: 'https',
        host: 'mtls.example.com',
        path: '/client-mtls',
        clientCertificate: { namespace: infra, name: 'client-mtls-certificate' },
      },
      backendRequest: {
        headers: {
          'X-Forwarded-Client-Cert':
            'Hash=ac77d86dd638969a0a39b4e0743370e860d1b70da58b1b08ce950417b6386a8b;Subject="CN=mtls.example.com,OU=Gateway,O=EnvoyProxy,L=SomeCity,ST=VA,C=US"',
        },
      },
      ...v1,
    },
    {
      gateway: mtlsGateway,
      request: { scheme: 'https', host: 'tls-settings.example.com', path: '/client-tls-settings' },
      ...v1,
    },
  ],
  // "Client TLS Settings Enforced": versions 1.1-1.2, two ciphers, two curves, ALPN http/1.1, no
  // session tickets; the suite's dial helpers, with OpenSSL's names for Go's suites and curves.
  steps: async (harness) => {
    const base = {
      port: harness.gatewayPort(mtlsGateway, 443),
      serverName: 'tls-settings.example.com',
    } as const;
    const legacy = 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256';
    const version = (v: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3', ok: boolean) =>
      expectHandshake(
        `version ${v}`,
        { ...base, minVersion: v, maxVersion: v, ciphers: legacy },
        ok,
        (r) => (r.version === v ? undefined : `negotiated ${r.version}`),
      );
    await version('TLSv1', false);
    await version('TLSv1.1', true);
    await version('TLSv1.2', true);
    await version('TLSv1.3', false);
    const tls12 = { ...base, maxVersion: 'TLSv1.2' } as const;
    // Go's client offers no RSA key exchange suites: a curve the server lacks fails the handshake.
    const ecdhe = { ...tls12, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } as const;
    await expectHandshake(
      'cipher ECDHE-RSA-AES128-GCM-SHA256',
      { ...tls12, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' },
      true,
      (r) =>
        r.cipher === 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' ? undefined : `cipher ${r.cipher}`,
    );
    await expectHandshake(
      'cipher ECDHE-RSA-AES256-GCM-SHA384',
      { ...tls12, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' },
      false,
    );
    await expectHandshake('curve P-256', { ...ecdhe, ecdhCurve: 'P-256' }, true);
    await expectHandshake('curve X25519', { ...ecdhe, ecdhCurve: 'X25519' }, true);
    await expectHandshake('curve P-521', { ...ecdhe, ecdhCurve: 'P-521' }, false);
    await expectHandshake('ALPN', { ...base, alpn: ['h2', 'http/1.1'] }, true, (r) =>
      r.alpn === 'http/1.1' ? undefined : `ALPN ${r.alpn}`,
    );
    await expectHandshake('no session ticket', base, true, (r) =>
      r.ticket ? 'the server sent a session ticket' : undefined,
    );
  },
};

const http3Gateway = gw('http3-gtw');
const quicPython = findQuicPython();

export const http3: ConformanceTest = {
  name: 'HTTP3',
  description: 'HTTP3 tests ensure that Envoy Gateway supports HTTP/3 features.',
  features: ['ClientTrafficPolicy'],
  manifests: ['http3.yaml'],
  statuses: [...accepted(http3Gateway, ['http3-route-foo']), policy('http3-ctp', http3Gateway)],
  // Over TCP the answer advertises HTTP/3 on the Gateway's port, as Envoy Gateway writes it.
  requests: [
    {
      gateway: http3Gateway,
      request: { scheme: 'https', host: 'foo.example.com', path: '/' },
      responseHeaders: { 'alt-svc': 'h3=":443"; ma=86400' },
      ...v1,
    },
  ],
  // The suite's QuicRoundTripper: a GET over HTTP/3 (QUIC on the same port, UDP) per hostname.
  steps: async (harness) => {
    const port = harness.gatewayPort(http3Gateway, 443);
    for (const host of ['foo.example.com', 'bar.example.com', 'www.awesome.org', 'api.awesome.org'])
      await harness.eventually(`HTTP/3 GET https://${host}/`, async () => {
        const result = await http3Get(quicPython as string, port, host, '/');
        return result.status === 200 ? undefined : `status ${result.status}`;
      });
  },
  ...(quicPython
    ? {}
    : { skip: 'no HTTP/3 client: aioquic is not installed (scripts/setup-quic.sh installs it)' }),
};
