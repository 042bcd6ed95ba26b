// ClusterTrustBundle as a CA source of BackendTLSPolicy (Envoy Gateway's
// BackendTLSClusterTrustBundle): the policy is accepted and its bundle is what the backend's
// certificate is verified with; a missing bundle is refused.
import { loadResourcesFromText } from '@egts/api';
import { issueCa } from '@egts/certgen';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const CA = issueCa().cert.trim();

const translateWith = (bundleName: string) =>
  translate(
    loadResourcesFromText(
      `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: certificates.k8s.io/v1beta1
kind: ClusterTrustBundle
metadata: {name: backend-ca}
spec:
  trustBundle: |
${CA.split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
---
apiVersion: v1
kind: Service
metadata: {name: tls-backend, namespace: default}
spec: {ports: [{name: https, port: 443}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: tls-backend, port: 443}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: tls, namespace: default}
spec:
  targetRefs: [{group: "", kind: Service, name: tls-backend}]
  validation:
    caCertificateRefs: [{group: "", kind: ClusterTrustBundle, name: ${bundleName}}]
    hostname: example.com
`,
      'ctb.yaml',
    ).resources,
  );

const acceptedOf = (result: ReturnType<typeof translate>) =>
  (
    result.statuses.find((s) => s.kind === 'BackendTLSPolicy')?.status as
      | { ancestors: { conditions: { type: string; reason: string; message: string }[] }[] }
      | undefined
  )?.ancestors[0]?.conditions.find((c) => c.type === 'Accepted');

describe('ClusterTrustBundle as a BackendTLSPolicy CA', () => {
  it('verifies the backend with the bundle', () => {
    const result = translateWith('backend-ca');
    expect(acceptedOf(result)).toMatchObject({ status: 'True' });
    // The bundle's certificate (its base64 body) is what the backend is verified with.
    expect(JSON.stringify(result.xdsIR)).toContain(CA.split('\n')[1]);
  });

  it('refuses a bundle that does not exist', () => {
    expect(acceptedOf(translateWith('missing'))).toMatchObject({ status: 'False' });
  });
});

// A Backend's own TLS may name a ClusterTrustBundle too (Envoy Gateway's
// DynamicResolverBackendWithClusterTrustBundle).
const translateBackendWith = (bundleName: string) =>
  translate(
    loadResourcesFromText(
      `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: certificates.k8s.io/v1beta1
kind: ClusterTrustBundle
metadata: {name: backend-ca}
spec:
  trustBundle: |
${CA.split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: dfp, namespace: default}
spec:
  type: DynamicResolver
  tls:
    caCertificateRefs: [{group: "", kind: ClusterTrustBundle, name: ${bundleName}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: dfp}]}]
`,
      'ctb-backend.yaml',
    ).resources,
    { extensionApis: { enableBackend: true } },
  );

const resolvedRefsOf = (result: ReturnType<typeof translate>) =>
  (
    result.statuses.find((s) => s.kind === 'HTTPRoute')?.status as
      | { parents: { conditions: { type: string; status: string; message: string }[] }[] }
      | undefined
  )?.parents[0]?.conditions.find((c) => c.type === 'ResolvedRefs');

describe("ClusterTrustBundle as a Backend's CA", () => {
  it('verifies the backend with the bundle', () => {
    const result = translateBackendWith('backend-ca');
    expect(resolvedRefsOf(result)).toMatchObject({ status: 'True' });
    expect(JSON.stringify(result.xdsIR)).toContain(CA.split('\n')[1]);
  });

  it('refuses a bundle that does not exist, naming it', () => {
    const refs = resolvedRefsOf(translateBackendWith('missing'));
    expect(refs).toMatchObject({ status: 'False' });
    expect(refs?.message).toContain('CA certificate ClusterTrustBundle missing does not exist');
  });
});
