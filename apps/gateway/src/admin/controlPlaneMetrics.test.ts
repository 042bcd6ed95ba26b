// Envoy Gateway's control plane metrics from egts's events: snapshot creates and updates (a
// refused snapshot a failure), the Kubernetes infrastructure's object writes and the status
// writer's updates.
import { createSnapshot, createSnapshotCache } from '@egts/xds-server';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  countingSnapshotCache,
  countObjectWrite,
  countStatusUpdate,
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

  it('count status updates by kind as Envoy Gateway does: no-ops succeed, conflicts add up', async () => {
    const registry = new Registry();
    const metrics = createControlPlaneMetrics(registry);
    const route = { kind: 'HTTPRoute', seconds: 0.005 };
    countStatusUpdate(metrics, { ...route, outcome: 'written', conflicts: 2 });
    countStatusUpdate(metrics, { ...route, outcome: 'unchanged', conflicts: 0 });
    countStatusUpdate(metrics, { ...route, outcome: 'gone', conflicts: 0 });
    countStatusUpdate(metrics, { kind: 'Gateway', seconds: 2, outcome: 'failed', conflicts: 0 });
    const kind = { kind: 'HTTPRoute' };
    expect(await value(registry, 'status_update_total', kind)).toBe(3);
    expect(await value(registry, 'status_update_success_total', kind)).toBe(2);
    expect(await value(registry, 'status_update_noop_total', kind)).toBe(1);
    expect(await value(registry, 'status_update_failed_total', kind)).toBe(1);
    expect(await value(registry, 'status_update_conflict_total', kind)).toBe(2);
    expect(await value(registry, 'status_update_failed_total', { kind: 'Gateway' })).toBe(1);
    expect(await value(registry, 'status_update_duration_seconds', { ...kind, le: '0.01' })).toBe(
      3,
    );
  });
});
