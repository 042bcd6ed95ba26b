// ClientTrafficPolicy precedence into the IR: a policy on a listener (sectionName) wins over one on
// its ListenerSet, which wins over one on the Gateway; policies do not merge; a policy that is not
// accepted (Invalid, NotApplied) leaves its listeners with the defaults.
import { loadResourcesFromText } from '@egts/api';
import type { HTTPListener } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const manifests = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  allowedListeners: {namespaces: {from: Same}}
  listeners:
  - {name: plain, protocol: HTTP, port: 8001}
  - {name: section, protocol: HTTP, port: 8002}
  - {name: refused, protocol: HTTP, port: 8003}
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: set, namespace: default}
spec:
  parentRef: {name: gw}
  listeners:
  - {name: in-set, protocol: HTTP, port: 8004}
  - {name: in-set-section, protocol: HTTP, port: 8005}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: gateway-wide, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw}]
  healthCheck: {path: /gateway}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: section, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw, sectionName: section}]
  timeout: {http: {idleTimeout: 5s}}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: refused, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw, sectionName: refused}]
  clientIPDetection: {directSourceIP: {}, xForwardedFor: {numTrustedHops: 1}}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: set-wide, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: ListenerSet, name: set}]
  healthCheck: {path: /set}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: set-section, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: ListenerSet, name: set, sectionName: in-set-section}]
  healthCheck: {path: /set-section}
`;

describe('ClientTrafficPolicy into the IR', () => {
  const { resources, problems } = loadResourcesFromText(manifests, 'ctp.yaml');
  const result = translate(resources);
  const listener = (port: number) =>
    result.xdsIR[0]?.http.find((l) => l.externalPort === port) as HTTPListener;

  it('loads', () => expect(problems).toEqual([]));

  it('applies the most specific policy to each listener, without merging', () => {
    expect(listener(8001).clientTraffic).toEqual({ healthCheckPath: '/gateway' });
    // The section policy replaces the Gateway's: no health check path there.
    expect(listener(8002).clientTraffic).toEqual({ timeouts: { idleMs: 5000 } });
    expect(listener(8004).clientTraffic).toEqual({ healthCheckPath: '/set' });
    expect(listener(8005).clientTraffic).toEqual({ healthCheckPath: '/set-section' });
  });

  it('leaves a listener whose policy is not accepted with the defaults', () => {
    const refused = result.statuses.find(
      (s) => s.kind === 'ClientTrafficPolicy' && s.metadata.name === 'refused',
    )?.status as { ancestors: { conditions: { type: string; reason: string }[] }[] };
    expect(refused.ancestors[0]?.conditions.find((c) => c.type === 'Accepted')).toMatchObject({
      reason: 'Invalid',
      message: expect.stringContaining('clientIPDetection.directSourceIP'),
    });
    expect(listener(8003).clientTraffic).toBeUndefined();
  });
});
