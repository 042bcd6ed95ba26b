// A NACK shows in /problems on the route object that produced the quarantined route, with
// Envoy's message, while the snapshot still has that content (issue #16, item 2).
import { RouteConfiguration } from '@egts/envoy-api';
import { createSnapshot, createSnapshotCache, type Rejection, TypeUrl } from '@egts/xds-server';
import { describe, expect, it } from 'vitest';
import { rejectionProblems } from './rejectionProblems.js';

const routes = (regex: string) =>
  RouteConfiguration.fromPartial({
    name: 'default/eg/http',
    virtualHosts: [
      {
        name: 'all',
        domains: ['*'],
        routes: [
          {
            name: 'httproute/default/bad/rule/0/match/0',
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
      quarantined: [{ name: 'default/eg/http', routes: ['httproute/default/bad/rule/0/match/0'] }],
    };
    const [problem, ...rest] = rejectionProblems(rejection, cache);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({
      severity: 'error',
      kind: 'HTTPRoute',
      namespace: 'default',
      name: 'bad',
    });
    expect(problem?.message).toMatch(/Envoy envoy-1 rejected route .* program size of 205/);

    // Once the route changes, the problem is gone.
    cache.setSnapshot('gw', createSnapshot({ routes: [routes('/[a-z]{20}')] }));
    expect(rejectionProblems(rejection, cache)).toEqual([]);
  });
});
