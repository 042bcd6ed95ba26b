// EnvoyProxy `bootstrap` before any proxy sees it: a value that is not a YAML object, or a JSON
// patch without a pointer, makes the EnvoyProxy (and the GatewayClass using it) not accepted,
// naming the field; a good one reaches the infra IR parsed.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const withBootstrap = (bootstrap: string) =>
  translate(
    loadResourcesFromText(
      `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec:
  bootstrap: ${bootstrap}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
`,
      'bootstrap.yaml',
    ).resources,
  );

const accepted = (result: ReturnType<typeof translate>) =>
  (
    result.statuses.find((s) => s.kind === 'EnvoyProxy')?.status as
      | { ancestors: { conditions: { type: string; reason: string; message: string }[] }[] }
      | undefined
  )?.ancestors[0]?.conditions.find((c) => c.type === 'Accepted');

describe('EnvoyProxy bootstrap', () => {
  it('carries a Merge document, parsed, to the infra IR', () => {
    const result = withBootstrap('{type: Merge, value: "node: {metadata: {team: a}}"}');
    expect(accepted(result)).toMatchObject({ reason: 'Accepted' });
    expect(result.infraIR.proxies[0]?.bootstrap).toEqual({
      type: 'Merge',
      value: { node: { metadata: { team: 'a' } } },
    });
  });

  it('refuses a value that is not a YAML object, naming the field', () => {
    const condition = accepted(withBootstrap('{type: Replace, value: "just text"}'));
    expect(condition).toMatchObject({ reason: 'InvalidParameters' });
    expect(condition?.message).toContain('spec.bootstrap.value');
  });

  it('refuses a JSON patch without a pointer, naming it', () => {
    const condition = accepted(
      withBootstrap('{type: JSONPatch, jsonPatches: [{op: add, path: "node", value: 1}]}'),
    );
    expect(condition?.message).toContain('spec.bootstrap.jsonPatches[0].path');
  });
});
