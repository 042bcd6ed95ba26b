// Smoke test: the generated scenarios load without problems and translate with every route accepted.
import { loadResourcesFromText } from '@egts/api';
import { translate } from '@egts/gatewayapi-translator';
import { describe, expect, it } from 'vitest';
import { allObjects, httpScenario, largeScenario, toText } from '../scenarios.js';

const accepted = (statuses: ReturnType<typeof translate>['statuses'], kind: string) =>
  statuses.filter((s) => s.kind === kind && !JSON.stringify(s).includes('"status":"False"'));

describe('scenarios', () => {
  it('spreads HTTPRoutes over Gateways, namespaces and Services, all accepted', () => {
    const { resources, problems } = loadResourcesFromText(
      toText(allObjects(httpScenario({ routes: 40 }))),
    );
    expect(problems).toEqual([]);
    expect(resources.gateways).toHaveLength(4);
    expect(resources.endpointSlices).toHaveLength(100);
    const { statuses, xdsIR } = translate(resources);
    expect(accepted(statuses, 'HTTPRoute')).toHaveLength(40);
    expect(xdsIR).toHaveLength(4);
  });

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
    const { statuses } = translate(resources);
    expect(accepted(statuses, 'GRPCRoute')).toHaveLength(250);
    expect(accepted(statuses, 'UDPRoute')).toHaveLength(100);
  });
});
