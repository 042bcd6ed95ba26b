// EnvoyPatchPolicies: gated by the EnvoyGateway's extensionApis, accepted ones in their fleet's
// xDS IR by priority, and the xDS translator's outcome as their Programmed condition.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { type TranslateOptions, translate, withEnvoyPatchOutcomes } from '../index.js';
import { BASE, conds, type Status } from './translateYaml.js';

const policy = (name: string, priority: number) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyPatchPolicy
metadata: { name: ${name}, namespace: default }
spec:
  targetRef: { group: gateway.networking.k8s.io, kind: Gateway, name: eg }
  type: JSONPatch
  priority: ${priority}
  jsonPatches:
  - type: type.googleapis.com/envoy.config.listener.v3.Listener
    name: default/eg/http
    operation: { op: replace, path: /per_connection_buffer_limit_bytes, value: ${priority + 100} }
`;

const YAML = `${BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
${policy('later', 5)}
---
${policy('first', -1)}
`;

const run = (options: TranslateOptions = {}) => {
  const { resources } = loadResourcesFromText(YAML, 'test.yaml', { lenient: true });
  return translate(resources, { now: new Date('2030-01-01T00:00:00Z'), ...options });
};

const ancestor = (statuses: ReturnType<typeof run>['statuses'], name: string) =>
  (statuses.find((s) => s.metadata.name === name)?.status as unknown as Status | undefined)
    ?.ancestors[0];

describe('EnvoyPatchPolicy', () => {
  it('puts accepted policies in their fleet by priority', () => {
    const result = run({ extensionApis: { enableEnvoyPatchPolicy: true } });
    expect(conds(ancestor(result.statuses, 'later')?.conditions)).toEqual({
      Accepted: 'True/Accepted',
    });
    const ir = result.xdsIR.find((x) => x.name === 'default/eg');
    expect(ir?.envoyPatchPolicies?.map((p) => [p.name, p.patches[0]?.value])).toEqual([
      ['first', 99],
      ['later', 105],
    ]);
  });

  it('is not accepted when the EnvoyGateway does not enable it, and patches nothing', () => {
    const result = run({ extensionApis: {} });
    expect(conds(ancestor(result.statuses, 'later')?.conditions)).toEqual({
      Accepted: 'False/Disabled',
    });
    expect(result.xdsIR.find((x) => x.name === 'default/eg')?.envoyPatchPolicies).toBeUndefined();
  });

  it('shows the outcome of the patches as Programmed on accepted ancestors', () => {
    const { statuses } = run();
    const merged = withEnvoyPatchOutcomes(statuses, [
      {
        namespace: 'default',
        name: 'first',
        programmed: true,
        reason: 'Programmed',
        message: 'ok',
      },
      { namespace: 'default', name: 'later', programmed: false, reason: 'Invalid', message: 'bad' },
    ]);
    expect(conds(ancestor(merged, 'first')?.conditions)).toEqual({
      Accepted: 'True/Accepted',
      Programmed: 'True/Programmed',
    });
    expect(conds(ancestor(merged, 'later')?.conditions)).toEqual({
      Accepted: 'True/Accepted',
      Programmed: 'False/Invalid',
    });
  });
});
