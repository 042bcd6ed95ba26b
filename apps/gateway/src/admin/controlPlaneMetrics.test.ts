// Envoy Gateway's control plane metrics from egts's events: snapshot creates and updates (a
// refused snapshot a failure), and the Kubernetes infrastructure's object writes.
import { createSnapshot, createSnapshotCache } from '@egts/xds-server';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  countingSnapshotCache,
  countObjectWrite,
  createControlPlaneMetrics,
} from './controlPlaneMetrics.js';

const value = async (registry: Registry, name: string, labels: Record<string, string>) => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) =>
    Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
  )?.value;
};

describe('control plane metrics', () => {
  it('count snapshot creates and updates by node group', async () => {
    const registry = new Registry();
    const metrics = createControlPlaneMetrics(registry);
    const cache = countingSnapshotCache(createSnapshotCache(), metrics);
    cache.setSnapshot('default/eg', createSnapshot({}));
    cache.setSnapshot('default/eg', createSnapshot({}));
    expect(await value(registry, 'xds_snapshot_create_total', { status: 'success' })).toBe(1);
    expect(
      await value(registry, 'xds_snapshot_update_total', {
        nodeID: 'default/eg',
        status: 'success',
      }),
    ).toBe(2);
  });

  it('count and time the objects the infrastructure writes', async () => {
    const registry = new Registry();
    const metrics = createControlPlaneMetrics(registry);
    const object = { kind: 'Deployment', name: 'envoy-a', namespace: 'envoy-gateway-system' };
    countObjectWrite(metrics, { ...object, operation: 'apply', seconds: 0.02, ok: true });
    countObjectWrite(metrics, { ...object, operation: 'apply', seconds: 0.5, ok: false });
    countObjectWrite(metrics, { ...object, operation: 'delete', seconds: 0.01, ok: true });
    expect(await value(registry, 'resource_apply_total', { ...object, status: 'success' })).toBe(1);
    expect(await value(registry, 'resource_apply_total', { ...object, status: 'failure' })).toBe(1);
    expect(await value(registry, 'resource_delete_total', { ...object, status: 'success' })).toBe(
      1,
    );
    expect(await value(registry, 'resource_apply_duration_seconds', { ...object, le: '0.1' })).toBe(
      1,
    );
  });
});
