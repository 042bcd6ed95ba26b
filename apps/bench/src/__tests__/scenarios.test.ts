// Smoke test: the generated scenarios load without problems and translate with every route accepted.
// Envoy Gateway's large shape (thousands of objects) is checked in largeScenario.heavy.test.ts.
import { loadResourcesFromText } from '@egts/api';
import { translate } from '@egts/gatewayapi-translator';
import { describe, expect, it } from 'vitest';
import { allObjects, httpScenario, toText } from '../scenarios.js';

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
});
