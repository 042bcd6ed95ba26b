// Server options seen from a client: message size limit and max connection age.
import { DiscoveryRequest } from '@egts/envoy-api';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  TypeUrl,
  type XdsServer,
} from '../index.js';
import { adsClient, node, script } from './adsClient.js';
import { httpConfig } from './fixtures.js';

let server: XdsServer | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server?.close();
});

const open = async (options: Parameters<typeof createXdsServer>[2]) => {
  const cache = createSnapshotCache();
  cache.setSnapshot('gateway-1', createSnapshot(httpConfig('a', { a: 1 })));
  server = createXdsServer(cache, {}, options);
  const client = adsClient(await server.listen());
  const stream = script(client.streamAggregatedResources(), (r: Partial<DiscoveryRequest>) =>
    DiscoveryRequest.fromPartial(r),
  );
  closers.push(() => {
    stream.close();
    client.close();
  });
  return stream;
};

describe('server options', () => {
  it('refuses a request larger than maxReceiveMessageBytes', async () => {
    const stream = await open({ maxReceiveMessageBytes: 1024 });
    stream.send({
      node: node('n1'),
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resourceNames: ['x'.repeat(4096)],
    });
    expect(await stream.ended).toBe(`error ${status.RESOURCE_EXHAUSTED}`);
  });

  it('ends connections after maxConnectionAgeMs (+/-10% jitter) and the grace period', async () => {
    const started = Date.now();
    const stream = await open({ maxConnectionAgeMs: 300, maxConnectionAgeGraceMs: 200 });
    stream.send({ node: node('n1'), typeUrl: TypeUrl.Cluster });
    expect((await stream.next()).typeUrl).toBe(TypeUrl.Cluster);
    const outcome = await Promise.race([
      stream.ended,
      new Promise((r) => setTimeout(() => r('still open'), 3000)),
    ]);
    expect(outcome).not.toBe('still open');
    expect(Date.now() - started).toBeGreaterThanOrEqual(270);
  });
});
