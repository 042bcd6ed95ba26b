import type { ResourceStatus } from '@egts/api';
import { withBootstrapRefusals } from '@egts/infra-manager';
import { fleetGateways } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { bootstrapRefusals } from './bootstrapRefusals.js';

const gateway = (name: string): ResourceStatus => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'ns' },
  status: {
    conditions: [
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok' },
      { type: 'Programmed', status: 'True', reason: 'Programmed', message: 'ok' },
    ],
  },
});

describe('bootstrap refusals as Gateway status', () => {
  it('sets Accepted False (InvalidParameters) on the refused fleet Gateway only, until accepted', () => {
    const refusals = bootstrapRefusals();
    const owners = new Map([
      ['fleet-a', fleetGateways({ gatewayClass: 'eg', gatewayNamespace: 'ns', gatewayName: 'a' })],
      ['fleet-b', fleetGateways({ gatewayClass: 'eg', gatewayNamespace: 'ns', gatewayName: 'b' })],
    ]);
    const statuses = [gateway('a'), gateway('b')];
    refusals.note({ type: 'bootstrap-refused', proxy: 'fleet-a', reason: 'spec.bootstrap: bad' });
    const [a, b] = withBootstrapRefusals(statuses, refusals.refusals$.value, owners);
    expect(a?.status.conditions).toEqual([
      {
        type: 'Accepted',
        status: 'False',
        reason: 'InvalidParameters',
        message: 'Invalid EnvoyProxy bootstrap: spec.bootstrap: bad',
      },
      { type: 'Programmed', status: 'True', reason: 'Programmed', message: 'ok' },
    ]);
    expect(b).toBe(statuses[1]);
    refusals.note({ type: 'started', proxy: 'fleet-a' });
    expect(refusals.refusals$.value.size).toBe(1);
    refusals.note({ type: 'bootstrap-accepted', proxy: 'fleet-a' });
    expect(withBootstrapRefusals(statuses, refusals.refusals$.value, owners)).toBe(statuses);
  });

  it('marks every Gateway merged into a refused fleet (EnvoyProxy mergeGateways)', () => {
    const owners = new Map([
      [
        'eg',
        fleetGateways({
          gatewayClass: 'eg',
          gateways: [
            { namespace: 'ns', name: 'a' },
            { namespace: 'ns', name: 'b' },
          ],
        }),
      ],
    ]);
    const statuses = [gateway('a'), gateway('b'), gateway('c')];
    const marked = withBootstrapRefusals(
      statuses,
      new Map([['eg', 'spec.bootstrap: bad']]),
      owners,
    );
    const accepted = marked.map(
      (s) => (s.status.conditions as { type: string; status: string }[])[0]?.status,
    );
    expect(accepted).toEqual(['False', 'False', 'True']);
  });
});
