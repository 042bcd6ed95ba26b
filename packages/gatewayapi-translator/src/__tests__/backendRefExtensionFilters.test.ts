// ExtensionRef filters on a backendRef: an HTTPRouteFilter's credentialInjection runs for that
// backend only (its weighted cluster); anything else is refused (ResolvedRefs=False,
// UnsupportedRefValue) rather than accepted and ignored.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';
import { BASE, conds, type Status } from './translateYaml.js';

const yaml = (filterSpec: string) => `${BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: v1
kind: Secret
metadata: { name: cred, namespace: default }
data: { credential: ${Buffer.from('Bearer t').toString('base64')} }
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: HTTPRouteFilter
metadata: { name: f, namespace: default }
spec: ${filterSpec}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  rules:
  - backendRefs:
    - name: service-1
      port: 8080
      filters: [{ type: ExtensionRef, extensionRef: { group: gateway.envoyproxy.io, kind: HTTPRouteFilter, name: f } }]
`;

const run = (filterSpec: string) => {
  const { resources } = loadResourcesFromText(yaml(filterSpec), 't.yaml', { lenient: true });
  const result = translate(resources, { now: new Date('2030-01-01T00:00:00Z') });
  const status = result.statuses.find((s) => s.kind === 'HTTPRoute')?.status as unknown as Status;
  const route = result.xdsIR[0]?.http[0]?.routes[0];
  return { parent: status.parents[0], setting: route?.destination?.settings[0] };
};

describe('backendRef ExtensionRef filters', () => {
  it('inject the credential of an HTTPRouteFilter for that backend only', () => {
    const { parent, setting } = run(
      '{ credentialInjection: { header: x-token, credential: { valueRef: { name: cred } } } }',
    );
    expect(conds(parent?.conditions).ResolvedRefs).toBe('True/ResolvedRefs');
    expect(setting?.credentialInjection).toEqual({
      name: 'default/f',
      header: 'x-token',
      overwrite: false,
      credential: 'Bearer t',
    });
  });

  it('refuse an HTTPRouteFilter that does more than inject a credential', () => {
    const { parent } = run('{ directResponse: { statusCode: 503 } }');
    expect(conds(parent?.conditions).ResolvedRefs).toBe('False/UnsupportedRefValue');
    expect(parent?.conditions.find((c) => c.type === 'ResolvedRefs')?.message).toContain(
      'only credentialInjection applies within a backendRef',
    );
  });
});
