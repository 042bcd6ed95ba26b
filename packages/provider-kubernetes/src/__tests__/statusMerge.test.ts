// Status merging: lastTransitionTime moves only when a condition's status changes, observedGeneration
// is stamped, and what other controllers own is kept.
import { describe, expect, it } from 'vitest';
import { mergeConditions, mergeStatus } from '../internal/statusMerge.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-02T00:00:00Z';
const accepted = { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok' };

describe('mergeConditions', () => {
  it('keeps lastTransitionTime while the status stays, moves it when the status changes', () => {
    const first = mergeConditions(undefined, [accepted], 1, T0);
    expect(first).toEqual([{ ...accepted, observedGeneration: 1, lastTransitionTime: T0 }]);
    const sameStatus = mergeConditions(first, [{ ...accepted, message: 'still ok' }], 2, T1);
    expect(sameStatus[0]).toMatchObject({
      lastTransitionTime: T0,
      observedGeneration: 2,
      message: 'still ok',
    });
    const flipped = mergeConditions(
      sameStatus,
      [{ ...accepted, status: 'False', reason: 'Invalid' }],
      3,
      T1,
    );
    expect(flipped[0]).toMatchObject({
      status: 'False',
      lastTransitionTime: T1,
      observedGeneration: 3,
    });
  });

  it("keeps another controller's condition types and drops Gateway API types we no longer set", () => {
    const previous = [
      { ...accepted, lastTransitionTime: T0 },
      {
        type: 'Programmed',
        status: 'True',
        reason: 'Programmed',
        message: '',
        lastTransitionTime: T0,
      },
      {
        type: 'example.com/Audited',
        status: 'True',
        reason: 'Done',
        message: '',
        lastTransitionTime: T0,
      },
    ];
    const merged = mergeConditions(previous, [accepted], 4, T1);
    expect(merged.map((c) => c.type)).toEqual(['Accepted', 'example.com/Audited']);
  });

  it('drops our own egts.io/ condition once we no longer set it (a rejection that is over)', () => {
    const rejected = {
      type: 'egts.io/DataPlaneRejected',
      status: 'True',
      reason: 'Rejected',
      message: 'Envoy rejected Secret default/cert',
    };
    const during = mergeConditions(undefined, [accepted, rejected], 1, T0);
    expect(during.map((c) => c.type)).toEqual(['Accepted', 'egts.io/DataPlaneRejected']);
    const after = mergeConditions(during, [accepted], 1, T1);
    expect(after.map((c) => c.type)).toEqual(['Accepted']);
  });

  it('prefers the observedGeneration the translator computed with', () => {
    const merged = mergeConditions(undefined, [{ ...accepted, observedGeneration: 7 }], 8, T0);
    expect(merged[0]?.observedGeneration).toBe(7);
  });
});

describe('mergeStatus', () => {
  const ours = 'gateway.envoyproxy.io/gatewayclass-controller';
  const ref = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'ns', name: 'gw' };

  it("replaces only our route parent entries and keeps other controllers' ones", () => {
    const foreign = {
      parentRef: ref,
      controllerName: 'example.com/other',
      conditions: [{ ...accepted, lastTransitionTime: T0 }],
    };
    const current = {
      parents: [
        foreign,
        {
          parentRef: ref,
          controllerName: ours,
          conditions: [{ ...accepted, lastTransitionTime: T0 }],
        },
      ],
    };
    const merged = mergeStatus(
      current,
      { parents: [{ parentRef: ref, controllerName: ours, conditions: [accepted] }] },
      ours,
      2,
      T1,
    );
    expect(merged.parents).toEqual([
      foreign,
      {
        parentRef: ref,
        controllerName: ours,
        conditions: [{ ...accepted, observedGeneration: 2, lastTransitionTime: T0 }],
      },
    ]);
  });

  it('is a fixed point: merging the same result again changes nothing', () => {
    const computed = {
      conditions: [accepted],
      listeners: [{ name: 'http', attachedRoutes: 1, supportedKinds: [], conditions: [accepted] }],
    };
    const once = mergeStatus(undefined, computed, ours, 1, T0);
    expect(mergeStatus(once, computed, ours, 1, T1)).toEqual(once);
  });
});
