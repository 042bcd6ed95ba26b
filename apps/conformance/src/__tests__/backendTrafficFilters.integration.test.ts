// BackendTrafficPolicy settings that HTTP filters apply, through real Envoy (manifests -> egts's
// translators -> a static bootstrap -> Envoy, local Node backends): injected aborts and delays,
// gzip/brotli/zstd response compression, request and response bandwidth limits (Envoy's
// counters and the transfer time), request buffering with its size limit, and response
// overrides (by status code and response header, bodies inline or from a ConfigMap).
import type { Server } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  type acceptedReasons,
  closeAll,
  gatewayManifests,
  get,
  ok,
  policy,
  route,
  send,
  service,
  startBackend,
  startTranslated,
} from './backendTrafficFixture.js';

/** A compressible text body, larger than every minimum length below. */
const TEXT = 'egts compresses this line. '.repeat(200);

describe('[envoy] BackendTrafficPolicy filters through a translated bootstrap', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: ReturnType<typeof acceptedReasons> = [];
  /** Bytes of each request body the echo backend received. */
  const received: number[] = [];

  beforeAll(async () => {
    const [okPort, textPort, echoPort, statusPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    port = await freePort();
    servers.push(
      await startBackend('ok', '127.0.0.1', okPort, ok),
      await startBackend('text', '127.0.0.1', textPort, () => ({
        status: 200,
        body: TEXT,
        contentType: 'text/plain',
      })),
      // Answers the status its path names (/override/status/404), with the headers it is asked for.
      await startBackend('status', '127.0.0.1', statusPort, (path, headers) => ({
        status: Number(/\/status\/(\d+)/.exec(path)?.[1] ?? 200),
        contentType: 'application/json',
        body: JSON.stringify({ path, custom: headers['x-echo-custom'] ?? null }),
        ...(headers['x-echo-custom']
          ? { header: ['x-custom-header', String(headers['x-echo-custom'])] }
          : {}),
      })),
      await startBackend('echo', '127.0.0.1', echoPort, (_path, _headers, body) => {
        received.push(body.length);
        return { status: 200, body: 'x'.repeat(4096), contentType: 'application/octet-stream' };
      }),
    );
    const text = `${gatewayManifests(port)}${service('ok', okPort, ['127.0.0.1'])}${service('text', textPort, ['127.0.0.1'])}${service('echo', echoPort, ['127.0.0.1'])}${route('abort', 'ok', okPort)}${route('delayed', 'ok', okPort)}${route('compressed', 'text', textPort)}${route('plain', 'text', textPort)}${route('throttled', 'echo', echoPort)}${route('buffered', 'echo', echoPort)}${service('status', statusPort, ['127.0.0.1'])}${route('override', 'status', statusPort)}${policy(
      'abort',
      `  faultInjection: {abort: {httpStatus: 418}}
`,
    )}${policy(
      'delayed',
      `  faultInjection: {delay: {fixedDelay: 600ms}, abort: {httpStatus: 503, percentage: 100}}
`,
    )}${policy(
      'compressed',
      `  compression: [{type: Gzip}, {type: Brotli}, {type: Zstd, minContentLength: "1Ki"}]
`,
    )}${policy(
      'throttled',
      `  bandwidthLimit:
    request: {limit: {value: "1024", unit: Second}}
    response: {limit: {value: 1Ki, unit: Second}, responseTrailers: {prefix: x-bw}}
`,
    )}${policy(
      'buffered',
      `  requestBuffer: {limit: 2Ki}
`,
    )}${policy(
      'override',
      `  responseOverride:
  - match: {statusCodes: [{type: Value, value: 404}]}
    response:
      contentType: text/plain
      body: {type: Inline, inline: "%RESPONSE_CODE% Oops! Your request is not found."}
      header: {add: [{name: X-Add-Header, value: added-404}], set: [{name: Cache-Control, value: no-cache}]}
  - match: {statusCodes: [{type: Value, value: 403}]}
    response: {statusCode: 404, header: {set: [{name: X-Set-Header, value: set-403}]}}
  - match: {statusCodes: [{type: Value, value: 500}, {type: Range, range: {start: 501, end: 511}}]}
    response:
      contentType: application/json
      body: {type: ValueRef, valueRef: {group: "", kind: ConfigMap, name: override-body}}
  - match: {responseHeaders: [{name: X-Custom-Header, value: {type: Exact, value: custom-value}}]}
    response: {contentType: text/plain, body: {inline: matched on response header}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: override-body, namespace: default}
data: {response.body: '{"error": "Internal Server Error"}'}
`,
    )}`;
    ({ envoy, statuses } = await startTranslated(text, 'btp-filters.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('accepts every policy', () => {
    expect(statuses.filter((s) => s.accepted !== 'Accepted')).toEqual([]);
  });

  it('injects an abort', async () => {
    expect((await get(port, '/abort')).status).toBe(418);
  });

  it('injects a delay before the abort', async () => {
    const started = Date.now();
    expect((await get(port, '/delayed')).status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it('compresses responses with gzip, brotli or zstd as the client accepts', async () => {
    const gzip = await get(port, '/compressed', { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.raw).toString()).toBe(TEXT);
    const brotli = await get(port, '/compressed', { 'accept-encoding': 'br' });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(brotli.raw).toString()).toBe(TEXT);
    const zstd = await get(port, '/compressed', { 'accept-encoding': 'zstd' });
    expect(zstd.headers['content-encoding']).toBe('zstd');
    // Zstandard frames start with the magic number 0xFD2FB528 (little-endian).
    expect(zstd.raw.subarray(0, 4).toString('hex')).toBe('28b52ffd');
    expect(zstd.raw.length).toBeLessThan(TEXT.length);
    // Without Accept-Encoding, or on a route without the policy, the body stays as it is.
    const identity = await get(port, '/compressed');
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body).toBe(TEXT);
    const plain = await get(port, '/plain', { 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(TEXT);
  });

  it('limits the request and response transfer rates', async () => {
    // 4 KiB each way at 1 KiB/s: Envoy holds the bytes back (the bucket starts full at 1 KiB).
    const started = Date.now();
    const reply = await send(
      port,
      '/throttled',
      { 'content-type': 'application/octet-stream' },
      { method: 'POST', body: Buffer.alloc(4096, 'y') },
    );
    expect(reply.status).toBe(200);
    expect(reply.raw.length).toBe(4096);
    expect(received).toContain(4096);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    const stats = await envoy!.admin('/stats?filter=http_bandwidth_limit');
    expect(stats).toMatch(/http_bandwidth_limiter\.http_bandwidth_limit\.request_enforced: [1-9]/);
    expect(stats).toMatch(/http_bandwidth_limiter\.http_bandwidth_limit\.response_enforced: [1-9]/);
  }, 60_000);

  it('buffers request bodies up to the limit', async () => {
    const small = await send(port, '/buffered', {}, { method: 'POST', body: 'z'.repeat(1024) });
    expect(small.status).toBe(200);
    expect(received).toContain(1024);
    const large = await send(port, '/buffered', {}, { method: 'POST', body: 'z'.repeat(8192) });
    expect(large.status).toBe(413);
    expect(received).not.toContain(8192);
  });

  it('overrides responses by status code and response header', async () => {
    const notFound = await get(port, '/override/status/404');
    expect(notFound.status).toBe(404);
    expect(notFound.headers['content-type']).toBe('text/plain');
    expect(notFound.body).toBe('404 Oops! Your request is not found.');
    expect(notFound.headers['x-add-header']).toBe('added-404');
    expect(notFound.headers['cache-control']).toBe('no-cache');
    const forbidden = await get(port, '/override/status/403');
    expect(forbidden.status).toBe(404);
    expect(forbidden.headers['x-set-header']).toBe('set-403');
    for (const code of [500, 503, 511]) {
      const failed = await get(port, `/override/status/${code}`);
      expect(failed.status).toBe(code);
      expect(failed.headers['content-type']).toBe('application/json');
      expect(failed.body).toBe('{"error": "Internal Server Error"}');
    }
    // Outside every match the backend's own answer passes.
    const teapot = await get(port, '/override/status/418');
    expect(teapot.status).toBe(418);
    expect(JSON.parse(teapot.body)).toEqual({ path: '/override/status/418', custom: null });
    const matched = await get(port, '/override', { 'x-echo-custom': 'custom-value' });
    expect(matched.status).toBe(200);
    expect(matched.body).toBe('matched on response header');
    const other = await get(port, '/override', { 'x-echo-custom': 'other-value' });
    expect(other.body).not.toBe('matched on response header');
  });
});
