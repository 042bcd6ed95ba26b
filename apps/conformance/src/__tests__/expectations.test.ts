// The suite's comparisons, without Envoy: what makes a response or a status fail a test.
import { describe, expect, it } from 'vitest';
import type { EchoResponse } from '../internal/echoServer.js';
import { compareResponse } from '../internal/httpExpectation.js';
import { compareStatus } from '../internal/statusExpectation.js';

const echo = (over: Partial<EchoResponse> = {}): EchoResponse => ({
  path: '/a',
  host: 'example.com',
  method: 'GET',
  proto: 'HTTP/1.1',
  headers: { 'X-Header-Set': ['set'] },
  namespace: 'gateway-conformance-infra',
  ingress: '',
  service: '',
  pod: 'infra-backend-v1-00001',
  httpPort: '3000',
  ...over,
});

const ok = (body: EchoResponse, status = 200, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: JSON.stringify(body),
  echo: body,
});

describe('compareResponse', () => {
  const expected = {
    request: { host: 'example.com', path: '/a' },
    backend: 'infra-backend-v1',
    backendRequest: { headers: { 'X-Header-Set': 'set' }, absentHeaders: ['X-Gone'] },
  };

  it('accepts the answer of the right backend with the right request', () => {
    expect(compareResponse(expected, ok(echo()))).toBeUndefined();
  });

  it('names what differs', () => {
    expect(compareResponse(expected, ok(echo({ pod: 'infra-backend-v2-00002' })))).toMatch(
      /infra-backend-v2-00002/,
    );
    expect(compareResponse(expected, ok(echo({ path: '/b' })))).toMatch(/path \/b/);
    expect(compareResponse(expected, ok(echo({ headers: {} })))).toMatch(/X-Header-Set/);
    expect(
      compareResponse(
        expected,
        ok(echo({ headers: { 'X-Header-Set': ['set'], 'X-Gone': ['1'] } })),
      ),
    ).toMatch(/X-Gone/);
    expect(compareResponse(expected, ok(echo({ namespace: 'other' })))).toMatch(/namespace other/);
    expect(compareResponse(expected, { status: 404, headers: {}, body: '' })).toMatch(/status 404/);
  });

  it('checks redirects by their Location parts', () => {
    const redirect = {
      request: { path: '/' },
      status: 302,
      redirect: { scheme: 'https', host: 'example.org', port: '', path: '/' },
    };
    const answer = (location: string) => ({ status: 302, headers: { location }, body: '' });
    expect(compareResponse(redirect, answer('https://example.org/'))).toBeUndefined();
    expect(compareResponse(redirect, answer('https://example.org:8443/'))).toMatch(/port "8443"/);
    expect(compareResponse(redirect, answer('http://example.org/'))).toMatch(/scheme http/);
  });

  it('accepts any of several header values, whitespace aside when asked (CORS preflights)', () => {
    const preflight = {
      request: { path: '/cors', method: 'OPTIONS' },
      status: [200, 204],
      validResponseHeaders: { 'access-control-allow-methods': ['GET, OPTIONS', 'OPTIONS, GET'] },
      ignoreWhitespace: true,
      absentResponseHeaders: ['access-control-allow-credentials'],
    };
    const answer = (status: number, headers: Record<string, string>) => ({
      status,
      headers,
      body: '',
    });
    const methods = (value: string) => ({ 'access-control-allow-methods': value });
    expect(compareResponse(preflight, answer(204, methods('OPTIONS,GET')))).toBeUndefined();
    expect(compareResponse(preflight, answer(200, methods('GET, OPTIONS')))).toBeUndefined();
    expect(compareResponse(preflight, answer(403, methods('GET, OPTIONS')))).toMatch(/status 403/);
    expect(compareResponse(preflight, answer(200, methods('GET')))).toMatch(/want "GET, OPTIONS"/);
    expect(compareResponse(preflight, answer(200, {}))).toMatch(/no response header/);
    expect(
      compareResponse(preflight, {
        ...answer(200, methods('GET,OPTIONS')),
        headers: { ...methods('GET,OPTIONS'), 'access-control-allow-credentials': 'true' },
      }),
    ).toMatch(/credentials present/);
    expect(
      compareResponse(
        { ...preflight, ignoreWhitespace: false },
        answer(200, methods('GET,OPTIONS')),
      ),
    ).toMatch(/allow-methods/);
  });
});

describe('compareStatus', () => {
  const statuses = [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'ns' },
      status: {
        parents: [
          {
            parentRef: { name: 'gw' },
            controllerName: 'c',
            conditions: [
              { type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 2 },
              {
                type: 'ResolvedRefs',
                status: 'False',
                reason: 'BackendNotFound',
                observedGeneration: 2,
              },
            ],
          },
        ],
      },
    },
  ];
  const gen = () => 2;
  const route = (type: string, status: 'True' | 'False', reason?: string) => ({
    kind: 'HTTPRoute' as const,
    namespace: 'ns',
    name: 'r',
    parents: [
      {
        gateway: { namespace: 'ns', name: 'gw' },
        conditions: [{ type, status, ...(reason ? { reason } : {}) }],
      },
    ],
  });

  it('accepts matching conditions of the latest generation', () => {
    expect(
      compareStatus(route('ResolvedRefs', 'False', 'BackendNotFound'), statuses, gen),
    ).toBeUndefined();
  });

  it('rejects another status, reason, an old generation or a missing parent', () => {
    expect(compareStatus(route('Accepted', 'False'), statuses, gen)).toMatch(/Accepted=True/);
    expect(compareStatus(route('ResolvedRefs', 'False', 'RefNotPermitted'), statuses, gen)).toMatch(
      /BackendNotFound/,
    );
    expect(compareStatus(route('Accepted', 'True'), statuses, () => 3)).toMatch(
      /observedGeneration 2/,
    );
    expect(compareStatus({ ...route('Accepted', 'True'), name: 'other' }, statuses, gen)).toMatch(
      /no status/,
    );
    expect(
      compareStatus(
        { kind: 'HTTPRoute', namespace: 'ns', name: 'r', notAccepted: true },
        statuses,
        gen,
      ),
    ).toMatch(/want no accepted parent/);
  });
});

describe('compareStatus of a Gateway', () => {
  const gateway = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'ns' },
    status: {
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 1 }],
      listeners: [
        { name: 'a', attachedRoutes: 0, supportedKinds: [], conditions: [] },
        {
          name: 'b',
          attachedRoutes: 0,
          supportedKinds: [],
          conditions: [{ type: 'Accepted', status: 'True', observedGeneration: 1 }],
        },
      ],
    },
  };
  const want = { kind: 'Gateway' as const, namespace: 'ns', name: 'gw' };
  const b = { name: 'b', conditions: [{ type: 'Accepted', status: 'True' as const }] };

  it('checks some listeners by name, whatever others there are', () => {
    expect(compareStatus({ ...want, someListeners: [b] }, [gateway], () => 1)).toBeUndefined();
    expect(compareStatus({ ...want, listeners: [b] }, [gateway], () => 1)).toMatch(/2 listeners/);
  });

  it('counts attached ListenerSets, absent as 0', () => {
    expect(compareStatus({ ...want, attachedListenerSets: 0 }, [gateway], () => 1)).toBeUndefined();
    expect(compareStatus({ ...want, attachedListenerSets: 2 }, [gateway], () => 1)).toMatch(
      /attachedListenerSets 0, want 2/,
    );
  });
});

describe('the test tables', () => {
  it('name every test once', async () => {
    const { allTests } = await import('../tests/allTests.js');
    const names = allTests.map((t) => t.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});

describe('WebSocket frames', () => {
  it('decode what they encode, masked or not, split anywhere', async () => {
    const { encodeFrame, FrameReader } = await import('../internal/websocket.js');
    const long = Buffer.alloc(70_000, 7);
    const bytes = Buffer.concat([
      encodeFrame(1, Buffer.from('hi'), true),
      encodeFrame(2, long, false),
      encodeFrame(2, Buffer.alloc(300, 1), true),
    ]);
    const reader = new FrameReader();
    const frames = [...reader.push(bytes.subarray(0, 5)), ...reader.push(bytes.subarray(5))];
    expect(frames.map((f) => [f.opcode, f.payload.length])).toEqual([
      [1, 2],
      [2, 70_000],
      [2, 300],
    ]);
    expect(frames[0]!.payload.toString()).toBe('hi');
    expect(frames[1]!.payload.equals(long)).toBe(true);
  });
});
