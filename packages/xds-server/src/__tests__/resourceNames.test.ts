// A hostile ADS client naming tens of thousands of resources costs linear time and never stalls
// other streams; one over the per-type limit is cut off (issue #16, item 6).
import {
  type DiscoveryRequest,
  type DiscoveryResponse,
  DiscoveryRequest as Request,
} from '@egts/envoy-api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type SnapshotCache,
  TypeUrl,
  type XdsServer,
  type XdsServerOptions,
} from '../index.js';
import { adsClient, node, type ScriptedStream, script } from './adsClient.js';
import { httpConfig } from './fixtures.js';

let server: XdsServer | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server?.close();
});

const start = async (
  options: XdsServerOptions = {},
): Promise<{ cache: SnapshotCache; port: number }> => {
  const cache = createSnapshotCache();
  cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1, b: 2 })));
  server = createXdsServer(cache, {}, options);
  return { cache, port: await server.listen() };
};

const sotw = (port: number): ScriptedStream<DiscoveryRequest, DiscoveryResponse> => {
  const client = adsClient(port);
  const stream = script(client.streamAggregatedResources(), (r: Partial<DiscoveryRequest>) =>
    Request.fromPartial(r),
  );
  closers.push(() => {
    stream.close();
    client.close();
  });
  return stream;
};

const names = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('SotW resource names', () => {
  it('changes a 50,000-name subscription in linear time while another proxy is served', async () => {
    const { port } = await start();
    const started = performance.now();
    const hostile = sotw(port);
    hostile.send({
      node: node('hostile'),
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNames: names(50_000, 'x'),
    });
    // Every request replaces the whole subscription: each compares 50,000 old names with 50,000 new.
    for (let i = 0; i < 3; i++)
      hostile.send({
        typeUrl: TypeUrl.ClusterLoadAssignment,
        resourceNames: names(50_000, `y${i}`),
      });
    const good = sotw(port);
    good.send({ node: node('good'), typeUrl: TypeUrl.Cluster });
    // Requests on a stream are handled in order: this answer comes after all of the above.
    hostile.send({ typeUrl: TypeUrl.Cluster });
    // Quadratic, those requests held the event loop for minutes; linear, for milliseconds. The
    // bound is loose for a busy machine.
    expect((await hostile.next(15_000)).typeUrl).toBe(TypeUrl.Cluster);
    expect((await good.next(15_000)).typeUrl).toBe(TypeUrl.Cluster);
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('ends a stream subscribing to more names than the limit', async () => {
    const { port } = await start({ maxResourceNames: 1000 });
    const hostile = sotw(port);
    hostile.send({
      node: node('hostile'),
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNames: names(1001, 'x'),
    });
    expect(await hostile.ended).toBe('error 8');
    const good = sotw(port);
    good.send({
      node: node('good'),
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNames: names(1000, 'x'),
    });
    await good.none(300);
  });
});
