// createSnapshot caches per object: the same message gives the same served resource, the same
// array the same index; new or changed messages are encoded and versioned by content.
import { Cluster, Cluster_DiscoveryType } from '@egts/envoy-api';
import { describe, expect, it } from 'vitest';
import { createSnapshot, TypeUrl } from '../index.js';

const cluster = (name: string, ms = 1000) =>
  Cluster.fromPartial({
    name,
    type: Cluster_DiscoveryType.STATIC,
    connectTimeout: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 },
  });

describe('createSnapshot', () => {
  it('reuses what it computed for the same messages and arrays', () => {
    const a = cluster('a');
    const b = cluster('b');
    const clusters = [a, b];
    const first = createSnapshot({ clusters }).resources(TypeUrl.Cluster);
    expect(createSnapshot({ clusters }).resources(TypeUrl.Cluster)).toBe(first);
    const second = createSnapshot({ clusters: [a, cluster('b', 2000)] }).resources(TypeUrl.Cluster);
    expect(second).not.toBe(first);
    expect(second.get('a')).toBe(first.get('a'));
    expect(second.get('b')?.version).not.toBe(first.get('b')?.version);
    // Equal content in a new object: the same version.
    const third = createSnapshot({ clusters: [cluster('a'), b] }).resources(TypeUrl.Cluster);
    expect(third.get('a')?.version).toBe(first.get('a')?.version);
  });

  it('still rejects duplicate and unnamed resources when they come from cached objects', () => {
    const a = cluster('a');
    createSnapshot({ clusters: [a] });
    expect(() => createSnapshot({ clusters: [a, a] })).toThrow(/duplicate/);
    expect(() => createSnapshot({ clusters: [cluster('')] })).toThrow(/no name/);
  });
});
