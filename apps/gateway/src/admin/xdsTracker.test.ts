// The tracker keeps each rejected resource's problem until its content changes: a later NACK of
// another resource of the same type does not hide an earlier one the proxy still refuses.
import { Secret } from '@egts/envoy-api';
import { createSnapshot, createSnapshotCache, type Rejection, TypeUrl } from '@egts/xds-server';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { createXdsTracker } from './xdsTracker.js';

describe('createXdsTracker', () => {
  it('keeps the problem of every resource still rejected, and drops it once changed', () => {
    const cache = createSnapshotCache();
    const secret = (name: string, key: string) =>
      Secret.fromPartial({ name, tlsCertificate: { privateKey: { inlineString: key } } });
    const first = createSnapshot({ secrets: [secret('default/a', '1'), secret('default/b', '1')] });
    cache.setSnapshot('default/eg', first);
    const tracker = createXdsTracker(cache, createMetrics(), (group) =>
      group === 'default/eg' ? { kind: 'Gateway', namespace: 'default', name: 'eg' } : undefined,
    );
    const stream = {
      streamId: 1,
      variant: 'delta' as const,
      peer: 'p',
      node: undefined,
      group: 'default/eg',
    };
    const version = (name: string) =>
      cache.getSnapshot('default/eg')!.snapshot.resources(TypeUrl.Secret).get(name)!.version;
    const nack = (name: string): Rejection => ({
      stream,
      typeUrl: TypeUrl.Secret,
      resources: [{ name, version: version(name) }],
      message: `bad ${name}`,
      attributed: true,
      quarantined: [],
    });
    const seen: number[] = [];
    const subscription = tracker.problems$.subscribe((problems) => seen.push(problems.length));
    tracker.callbacks.onNack?.(nack('default/a'));
    tracker.callbacks.onNack?.(nack('default/b'));
    expect(tracker.problems().map((p) => p.message)).toEqual([
      expect.stringContaining('rejected Secret default/a'),
      expect.stringContaining('rejected Secret default/b'),
    ]);
    expect(tracker.problems()[0]).toMatchObject({
      kind: 'Gateway',
      namespace: 'default',
      name: 'eg',
    });

    // Secret a changes and the proxy ACKs: only b is left.
    cache.setSnapshot(
      'default/eg',
      createSnapshot({ secrets: [secret('default/a', '2'), secret('default/b', '1')] }),
    );
    tracker.callbacks.onAck?.({ stream, typeUrl: TypeUrl.Secret, nonce: '3', latencyMs: 1 });
    expect(tracker.problems().map((p) => p.message)).toEqual([
      expect.stringContaining('rejected Secret default/b'),
    ]);
    expect(seen).toEqual([0, 1, 2, 1]);
    subscription.unsubscribe();
  });
  it('dumps the versions each proxy ACKed, as they were when it ACKed', () => {
    const cache = createSnapshotCache();
    const secret = (key: string) =>
      Secret.fromPartial({
        name: 'default/a',
        tlsCertificate: { privateKey: { inlineString: key } },
      });
    cache.setSnapshot('default/eg', createSnapshot({ secrets: [secret('1')] }));
    const acked = cache.getSnapshot('default/eg')!.snapshot.resources(TypeUrl.Secret);
    const tracker = createXdsTracker(cache, createMetrics(), () => undefined);
    const stream = { streamId: 1, variant: 'delta' as const, peer: 'p', node: undefined };
    tracker.callbacks.onAck?.({
      stream: { ...stream, group: 'default/eg' },
      typeUrl: TypeUrl.Secret,
      nonce: '1',
      latencyMs: 1,
    });
    // A newer snapshot the proxy has not ACKed yet: the dump still says what it took.
    cache.setSnapshot('default/eg', createSnapshot({ secrets: [secret('2')] }));
    const dump = tracker.configDump() as {
      gateways: Record<string, Record<string, Record<string, string>>>;
      proxies: { acked: Record<string, Record<string, string>> }[];
    };
    const then = acked.get('default/a')!.version;
    const now = dump.gateways['default/eg']![TypeUrl.Secret]!['default/a'];
    expect(now).not.toBe(then);
    expect(dump.proxies[0]!.acked).toEqual({ [TypeUrl.Secret]: { 'default/a': then } });
  });
});
