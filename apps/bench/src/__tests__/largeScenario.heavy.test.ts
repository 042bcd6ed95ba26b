// The heavy tier: Envoy Gateway's "large" benchmark shape (500 HTTPRoutes, 250 GRPCRoutes, 100
// UDPRoutes, 2,000 policies) loads without errors and translates with its routes and its
// SecurityPolicies accepted, the latter as enforced filters. About a
// second on a quiet machine; tens of seconds on a loaded one, so it is not in the default tier.
import { loadResourcesFromText } from '@egts/api';
import { translate } from '@egts/gatewayapi-translator';
import { describe, expect, it } from 'vitest';
import { allObjects, largeScenario, toText } from '../scenarios.js';

const accepted = (statuses: ReturnType<typeof translate>['statuses'], kind: string) =>
  statuses.filter((s) => s.kind === kind && !JSON.stringify(s).includes('"status":"False"'));

describe('large scenario', () => {
  it('builds the large shape with every kind it names', () => {
    const { resources, problems } = loadResourcesFromText(toText(allObjects(largeScenario())));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(resources.httpRoutes).toHaveLength(500);
    expect(resources.grpcRoutes).toHaveLength(250);
    expect(resources.udpRoutes).toHaveLength(100);
    for (const kind of [
      'clientTrafficPolicies',
      'backendTrafficPolicies',
      'securityPolicies',
      'envoyExtensionPolicies',
    ] as const) {
      expect(resources[kind]).toHaveLength(500);
    }
    const { statuses, xdsIR } = translate(resources);
    expect(accepted(statuses, 'GRPCRoute')).toHaveLength(250);
    expect(accepted(statuses, 'UDPRoute')).toHaveLength(100);
    // The SecurityPolicies are enforced filters: each HTTPRoute has its JWT and authorization.
    expect(accepted(statuses, 'SecurityPolicy')).toHaveLength(500);
    const secured = xdsIR
      .flatMap((ir) => ir.http.flatMap((l) => l.routes))
      .filter((r) => r.security?.jwt && r.security.authorization);
    expect(new Set(secured.map((r) => r.security?.policy)).size).toBe(500);
  });
});
