// A NACK shows in /problems on the route object that produced the quarantined route, with
// Envoy's message, while the snapshot still has that content (issue #16, item 2).
import { RouteConfiguration, Secret } from '@egts/envoy-api';
import { createSnapshot, createSnapshotCache, type Rejection, TypeUrl } from '@egts/xds-server';
import { describe, expect, it } from 'vitest';
import {
  DATA_PLANE_REJECTED,
  rejectionProblems,
  type SourceOf,
  withRejectionConditions,
} from './rejectionProblems.js';

// What the pipeline's stages answer (createPipeline.test.ts checks theirs): the route behind one
// Envoy route name, the Gateway or GatewayClass behind a snapshot group.
const sourceOf: SourceOf = (group, resourceName) => {
  if (resourceName === 'bad-route') return { kind: 'HTTPRoute', namespace: 'default', name: 'bad' };
  if (group === 'eg-class') return { kind: 'GatewayClass', name: 'eg-class' };
  return group === 'gw-1' ? { kind: 'Gateway', namespace: 'default', name: 'eg' } : undefined;
};

const routes = (regex: string) =>
  RouteConfiguration.fromPartial({
    name: 'default/eg/http',
    virtualHosts: [
      {
        name: 'all',
        domains: ['*'],
        routes: [
          {
            name: 'bad-route',
            match: { safeRegex: { regex } },
            directResponse: { status: 200 },
          },
        ],
      },
    ],
  });

describe('rejectionProblems', () => {
  it('names the route object of a quarantined route while its content is served', () => {
    const cache = createSnapshotCache();
    const snapshot = createSnapshot({ routes: [routes('/[a-z]{200}')] });
    cache.setSnapshot('gw', snapshot);
    const version = snapshot.resources(TypeUrl.RouteConfiguration).get('default/eg/http')!.version;
    const rejection: Rejection = {
      stream: {
        streamId: 1,
        variant: 'sotw',
        peer: 'p',
        node: { id: 'envoy-1' } as never,
        group: 'gw',
      },
      typeUrl: TypeUrl.RouteConfiguration,
      resources: [{ name: 'default/eg/http', version }],
      message: "regex '/[a-z]{200}' RE2 program size of 205 > max program size of 100",
      attributed: false,
      quarantined: [{ name: 'default/eg/http', routes: ['bad-route'] }],
    };
    const [problem, ...rest] = rejectionProblems(rejection, cache, sourceOf);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({
      severity: 'error',
      kind: 'HTTPRoute',
      namespace: 'default',
      name: 'bad',
    });
    expect(problem?.message).toMatch(/Envoy envoy-1 rejected route .* program size of 205/);

    // And on the route's status, as a condition on each parent.
    const statuses = withRejectionConditions(
      [
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'bad', namespace: 'default' },
          status: { parents: [{ parentRef: { name: 'eg' }, conditions: [] }] },
        },
      ],
      [problem!],
    );
    const parents = statuses[0]?.status.parents as {
      conditions: { type: string; message: string }[];
    }[];
    expect(parents[0]?.conditions).toEqual([
      expect.objectContaining({
        type: DATA_PLANE_REJECTED,
        status: 'True',
        message: problem?.message,
      }),
    ]);

    // Once the route changes, the problem is gone.
    cache.setSnapshot('gw', createSnapshot({ routes: [routes('/[a-z]{20}')] }));
    expect(rejectionProblems(rejection, cache, sourceOf)).toEqual([]);
  });

  it('names the Gateway of the snapshot group for a rejected resource no route produced', () => {
    const cache = createSnapshotCache();
    const secret = Secret.fromPartial({ name: 'default/cert', tlsCertificate: {} });
    const snapshot = createSnapshot({ secrets: [secret] });
    cache.setSnapshot('gw-1', snapshot);
    const version = snapshot.resources(TypeUrl.Secret).get('default/cert')!.version;
    const rejection: Rejection = {
      stream: { streamId: 2, variant: 'delta', peer: 'p', node: undefined, group: 'gw-1' },
      typeUrl: TypeUrl.Secret,
      resources: [{ name: 'default/cert', version }],
      message: 'only RSA certificates with 2048-bit or larger keys are supported',
      attributed: false,
      quarantined: [],
    };
    const problems = rejectionProblems(rejection, cache, sourceOf);
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'Gateway', namespace: 'default', name: 'eg' }),
    ]);
    expect(problems[0]?.message).toMatch(/rejected Secret default\/cert, which keeps .* 2048-bit/);
    // Merged Gateways: the group is the GatewayClass.
    cache.setSnapshot('eg-class', snapshot);
    const merged = rejectionProblems(
      { ...rejection, stream: { ...rejection.stream, group: 'eg-class' } },
      cache,
      sourceOf,
    );
    expect(merged[0]).toMatchObject({ kind: 'GatewayClass', name: 'eg-class' });

    const gatewayStatus = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'eg', namespace: 'default' },
      status: { conditions: [{ type: 'Accepted', status: 'True' }], listeners: [] },
    };
    const [gateway] = withRejectionConditions([gatewayStatus], problems);
    expect(gateway?.status.conditions).toEqual([
      { type: 'Accepted', status: 'True' },
      expect.objectContaining({ type: DATA_PLANE_REJECTED, status: 'True', reason: 'Rejected' }),
    ]);
    // Nothing rejected: the very same statuses.
    const statuses = [gatewayStatus];
    expect(withRejectionConditions(statuses, [])).toBe(statuses);
  });
});
