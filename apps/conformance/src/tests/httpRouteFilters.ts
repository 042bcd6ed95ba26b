// GATEWAY-HTTP core: request header modification, weighted backends, Service shapes, HTTPS
// listeners and status generations (conformance/tests/httproute-*.go).
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type KubeObject,
  routeCondition,
  type TestHarness,
} from '../conformanceTest.js';
import { WS_BINARY, WS_TEXT } from '../internal/websocket.js';

const sameNs = gw('same-namespace');
const v1 = { backend: 'infra-backend-v1', namespace: infra };
const v2 = { backend: 'infra-backend-v2', namespace: infra };

/** The suite's traffic-split check: shares of answers per backend within a tolerance. */
export const expectSplit = async (
  harness: TestHarness,
  request: HttpExpectation,
  shares: Record<string, number>,
  samples = 200,
  tolerance = 0.1,
): Promise<void> => {
  // First wait until every answer comes from one of the weighted backends.
  await harness.expectRequests([{ ...request, status: 200 }]);
  const counts = new Map<string, number>();
  for (let i = 0; i < samples; i++) {
    const result = await harness.send(request);
    if (result instanceof Error) throw result;
    const pod = result.echo?.pod ?? `status ${result.status}`;
    const backend = Object.keys(shares).find((b) => pod.startsWith(`${b}-`)) ?? pod;
    counts.set(backend, (counts.get(backend) ?? 0) + 1);
  }
  for (const [backend, count] of counts)
    if (!(backend in shares)) throw new Error(`${count} answers from unexpected ${backend}`);
  for (const [backend, share] of Object.entries(shares)) {
    const got = (counts.get(backend) ?? 0) / samples;
    if (share === 0 ? got > 0 : Math.abs(got - share) > tolerance)
      throw new Error(
        `${backend} answered ${(got * 100).toFixed(0)}% of ${samples}, want ${share * 100}%`,
      );
  }
};

const fillManualSlices = (harness: TestHarness) => (slice: KubeObject) => {
  const { address, port } = harness.endpoint(infra, 'infra-backend-v1');
  // The suite writes the infra-backend-v1 pod addresses into the manifest's empty slices; the
  // local pod listens on its own port, so the slice's port follows it (targetPort 3000 in a cluster).
  if (slice.addressType === 'IPv4')
    slice.endpoints = [{ addresses: [address], conditions: { ready: true } }];
  slice.ports = (slice.ports as Array<{ name?: string }>).map((p) => ({
    ...p,
    port,
    protocol: 'TCP',
  }));
};

/** The requests of HTTPRouteRequestHeaderModifier, shared with its backendRef-filter variant. */
const requestHeaderModifications: HttpExpectation[] = [
  {
    request: { path: '/set', headers: { 'Some-Other-Header': 'val' } },
    backendRequest: {
      headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' },
    },
    ...v1,
  },
  {
    request: {
      path: '/set',
      headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' },
    },
    backendRequest: {
      headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' },
    },
    ...v1,
  },
  {
    request: { path: '/add', headers: { 'Some-Other-Header': 'val' } },
    backendRequest: {
      headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' },
    },
    ...v1,
  },
  {
    request: {
      path: '/add',
      headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' },
    },
    backendRequest: {
      headers: {
        'Some-Other-Header': 'val',
        'X-Header-Add': 'some-other-value,add-appends-values',
      },
    },
    ...v1,
  },
  {
    request: { path: '/remove', headers: { 'X-Header-Remove': 'val' } },
    backendRequest: { absentHeaders: ['X-Header-Remove'] },
    ...v1,
  },
  {
    request: {
      path: '/multiple',
      headers: {
        'X-Header-Set-2': 'set-val-2',
        'X-Header-Add-2': 'add-val-2',
        'X-Header-Remove-2': 'remove-val-2',
        'Another-Header': 'another-header-val',
      },
    },
    backendRequest: {
      headers: {
        'X-Header-Set-1': 'header-set-1',
        'X-Header-Set-2': 'header-set-2',
        'X-Header-Add-1': 'header-add-1',
        'X-Header-Add-2': 'add-val-2,header-add-2',
        'X-Header-Add-3': 'header-add-3',
        'Another-Header': 'another-header-val',
      },
      absentHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
    },
    ...v1,
  },
  {
    request: {
      path: '/case-insensitivity',
      headers: {
        'x-header-set': 'original-val-set',
        'x-header-add': 'original-val-add',
        'x-header-remove': 'original-val-remove',
        'Another-Header': 'another-header-val',
      },
    },
    backendRequest: {
      headers: {
        'X-Header-Set': 'header-set',
        'X-Header-Add': 'original-val-add,header-add',
        'Another-Header': 'another-header-val',
      },
      absentHeaders: ['x-header-remove', 'X-Header-Remove'],
    },
    ...v1,
  },
];

export const httpRouteFilters: ConformanceTest[] = [
  {
    name: 'HTTPRouteRequestHeaderModifier',
    description: 'RequestHeaderModifier sets, adds and removes request headers, case-insensitively',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-request-header-modifier.yaml'],
    statuses: accepted(sameNs, ['request-header-modifier']),
    requests: requestHeaderModifications,
  },
  {
    name: 'HTTPRouteWeight',
    description: 'Backends weighted 70/30/0 get that share of requests',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-weight.yaml'],
    statuses: accepted(sameNs, ['weighted-backends']),
    steps: (harness) =>
      expectSplit(
        harness,
        { request: { path: '/' } },
        {
          'infra-backend-v1': 0.7,
          'infra-backend-v2': 0.3,
          'infra-backend-v3': 0,
        },
      ),
  },
  {
    name: 'HTTPRouteServiceTypes',
    description: 'Headless Services and Services with hand-written EndpointSlices are backends too',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-service-types.yaml'],
    statuses: accepted(sameNs, ['service-types']),
    steps: async (harness) => {
      for (const name of ['manual-endpointslices', 'headless-manual-endpointslices'])
        for (const family of ['ip4', 'ip6'])
          await harness.update(
            'EndpointSlice',
            infra,
            `${name}-${family}`,
            fillManualSlices(harness),
          );
      await harness.expectRequests(
        ['/manual-endpointslices', '/headless', '/headless-manual-endpointslices'].map((path) => ({
          request: { path },
          ...v1,
        })),
      );
    },
  },
  {
    name: 'HTTPRouteHTTPSListener',
    description: 'HTTPRoutes on HTTPS listeners serve by SNI and Host',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-https-listener.yaml'],
    statuses: accepted(gw('same-namespace-with-https-listener'), [
      'httproute-https-test',
      'httproute-https-test-no-hostname',
    ]),
    requests: [
      {
        gateway: gw('same-namespace-with-https-listener'),
        request: { scheme: 'https', host: 'example.org', path: '/' },
        ...v1,
      },
      {
        gateway: gw('same-namespace-with-https-listener'),
        request: { scheme: 'https', host: 'second-example.org', path: '/' },
        ...v2,
      },
      {
        gateway: gw('same-namespace-with-https-listener'),
        request: { scheme: 'https', host: 'unknown-example.org', path: '/' },
        status: 404,
      },
    ],
  },
  {
    name: 'HTTPRouteObservedGenerationBump',
    description: 'Route conditions follow a spec change to the new generation',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-observed-generation-bump.yaml'],
    statuses: accepted(sameNs, ['observed-generation-bump']),
    steps: async (harness) => {
      const before = harness.generation('HTTPRoute', infra, 'observed-generation-bump');
      await harness.update('HTTPRoute', infra, 'observed-generation-bump', (route) => {
        const rules = route.spec!.rules as Array<Record<string, unknown>>;
        rules[0]!.matches = [{ path: { type: 'PathPrefix', value: '/bump' } }];
      });
      const after = harness.generation('HTTPRoute', infra, 'observed-generation-bump');
      if (after <= before) throw new Error(`generation ${after} after the change, was ${before}`);
      await harness.expectStatuses([
        routeCondition('observed-generation-bump', sameNs, 'Accepted', 'True'),
        routeCondition('observed-generation-bump', sameNs, 'ResolvedRefs', 'True'),
      ]);
    },
  },
];

httpRouteFilters.push(
  {
    name: 'HTTPRouteBackendRequestHeaderModifier',
    description: 'RequestHeaderModifier on a backendRef changes the requests that backend gets',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendRequestHeaderModification'],
    manifests: ['httproute-request-header-modifier-backend.yaml'],
    statuses: accepted(sameNs, ['request-header-modifier']),
    requests: requestHeaderModifications,
  },
  {
    name: 'HTTPRouteRequestHeaderModifierBackendWeights',
    description: 'Each weighted backendRef applies its own header filter to the requests it gets',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendRequestHeaderModification'],
    manifests: ['httproute-request-header-modifier-backend-weights.yaml'],
    statuses: accepted(sameNs, ['request-header-modifier-backend-weights']),
    steps: async (harness) => {
      await harness.expectRequests([{ request: { path: '/' }, status: 200 }]);
      const seen = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const result = await harness.send({ request: { path: '/' } });
        if (result instanceof Error) throw result;
        const pod = result.echo?.pod ?? '';
        const backend = ['infra-backend-v1', 'infra-backend-v2'].find((b) =>
          pod.startsWith(`${b}-`),
        );
        if (!backend) throw new Error(`answered by ${pod || `status ${result.status}`}`);
        const header = result.echo?.headers.Backend?.join(',');
        if (header !== backend)
          throw new Error(`${backend} got Backend: ${header}, want ${backend}`);
        seen.add(backend);
      }
      if (seen.size !== 2)
        throw new Error(`only ${[...seen].join()} answered 40 requests split 10/10`);
    },
  },
  {
    name: 'HTTPRouteBackendProtocolH2C',
    description:
      'A Service port with appProtocol kubernetes.io/h2c is reached over HTTP/2 cleartext',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendProtocolH2C'],
    manifests: ['httproute-backend-protocol-h2c.yaml'],
    statuses: accepted(sameNs, ['backend-protocol-h2c']),
    requests: [{ request: { path: '/' }, ...v1 }],
  },
  {
    name: 'HTTPRouteBackendProtocolWebSocket',
    description:
      'A Service port with appProtocol kubernetes.io/ws carries a WebSocket: text and binary messages come back',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendProtocolWebSocket'],
    manifests: ['httproute-backend-protocol-websocket.yaml'],
    statuses: accepted(sameNs, ['backend-protocol-ws']),
    steps: (harness) =>
      harness.eventually('same-namespace: WebSocket /ws', async () => {
        const ws = await harness.openWebSocket(
          sameNs,
          80,
          '/ws',
          'ws://gateway/HTTPRouteBackendProtocolWebSocket/websocket_connection_should_reach_backend',
        );
        try {
          const text = 'Websocket Support!';
          ws.send(text);
          const textReply = await ws.receive();
          if (textReply.opcode !== WS_TEXT || textReply.payload.toString() !== text)
            return `text reply ${JSON.stringify(textReply.payload.toString())}, want ${JSON.stringify(text)}`;
          const binary = Buffer.from([1, 2, 3, 4, 5, 6, 7]);
          ws.send(binary);
          const binaryReply = await ws.receive();
          if (binaryReply.opcode !== WS_BINARY || !binaryReply.payload.equals(binary))
            return `binary reply ${binaryReply.payload.toString('hex')}, want ${binary.toString('hex')}`;
          return undefined;
        } finally {
          ws.close();
        }
      }),
  },
);

const mirrorTo = (...backends: string[]) =>
  backends.map((backend) => ({ backend, namespace: infra }));
const mirroredHeaders = {
  request: {
    headers: { 'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1' },
  },
  backendRequest: {
    headers: {
      'X-Header-Add': 'header-val-1',
      'X-Header-Add-Append': 'append-val-1,header-val-2',
      'X-Header-Set': 'set-overwrites-values',
    },
    absentHeaders: ['X-Header-Remove'],
  },
};

httpRouteFilters.push(
  {
    name: 'HTTPRouteRequestMirror',
    description: 'RequestMirror sends a copy of each request to another backend',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestMirror'],
    manifests: ['httproute-request-mirror.yaml'],
    statuses: accepted(sameNs, ['request-mirror']),
    requests: [
      { request: { path: '/mirror' }, ...v1, mirroredTo: mirrorTo('infra-backend-v2') },
      {
        request: { path: '/mirror-and-modify-headers', headers: mirroredHeaders.request.headers },
        backendRequest: mirroredHeaders.backendRequest,
        ...v1,
        mirroredTo: mirrorTo('infra-backend-v2'),
      },
    ],
  },
  {
    name: 'HTTPRouteRequestMultipleMirrors',
    description: 'Several RequestMirror filters each get a copy of each request',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestMirror', 'HTTPRouteRequestMultipleMirrors'],
    manifests: ['httproute-request-multiple-mirrors.yaml'],
    statuses: accepted(sameNs, ['request-multiple-mirrors']),
    requests: [
      {
        request: { path: '/multi-mirror' },
        ...v1,
        mirroredTo: mirrorTo('infra-backend-v2', 'infra-backend-v3'),
      },
      {
        request: {
          path: '/multi-mirror-and-modify-request-headers',
          headers: mirroredHeaders.request.headers,
        },
        backendRequest: mirroredHeaders.backendRequest,
        ...v1,
        mirroredTo: mirrorTo('infra-backend-v2', 'infra-backend-v3'),
      },
    ],
  },
);

/** Sends `samples` requests to `path` and checks the share that reached the mirror backend. */
const expectMirroredShare = async (
  harness: TestHarness,
  path: string,
  share: number,
  samples = 200,
  tolerance = 0.1,
): Promise<void> => {
  await harness.expectRequests([{ request: { path }, ...v1 }]);
  const mirrored = () =>
    harness.requestLog(infra, 'infra-backend-v2').filter((p) => p.split('?')[0] === path).length;
  const before = mirrored();
  for (let i = 0; i < samples; i++) {
    const result = await harness.send({ request: { path } });
    if (result instanceof Error) throw result;
    if (result.status !== 200) throw new Error(`${path}: status ${result.status}`);
  }
  // Mirrors are fire-and-forget: give the last copies a moment to land.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const got = (mirrored() - before) / samples;
  if (Math.abs(got - share) > tolerance)
    throw new Error(`${path}: ${(got * 100).toFixed(0)}% mirrored, want ${share * 100}%`);
};

httpRouteFilters.push({
  name: 'HTTPRouteRequestPercentageMirror',
  description: 'RequestMirror percent and fraction mirror that share of requests',
  features: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestPercentageMirror'],
  manifests: ['httproute-request-percentage-mirror.yaml'],
  provisional: true,
  statuses: accepted(sameNs, ['request-percentage-mirror']),
  steps: async (harness) => {
    await expectMirroredShare(harness, '/percent-mirror', 0.2);
    await expectMirroredShare(harness, '/percent-mirror-fraction', 0.5);
    await expectMirroredShare(harness, '/percent-mirror-and-modify-headers', 0.35);
  },
});
