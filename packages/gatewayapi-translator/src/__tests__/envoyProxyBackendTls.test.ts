// EnvoyProxy backendTLS.clientCertificateRef that cannot be used (missing, or in another
// namespace without a ReferenceGrant): the Gateway is not accepted, naming the field, rather than
// its proxies reaching backends without the certificate asked for.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const gatewayAccepted = (ref: string) => {
  const { resources } = loadResourcesFromText(
    `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: p, namespace: default}
spec: {backendTLS: {clientCertificateRef: ${ref}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  infrastructure: {parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: p}}
  listeners: [{name: http, protocol: HTTP, port: 80}]
`,
    'p.yaml',
  );
  const gw = translate(resources).statuses.find((s) => s.kind === 'Gateway');
  const conditions = (gw?.status.conditions ?? []) as { type: string; reason: string }[];
  return conditions.find((c) => c.type === 'Accepted');
};

describe('EnvoyProxy backendTLS.clientCertificateRef', () => {
  it('a Secret that does not exist, or one in another namespace without a grant, fails the Gateway', () => {
    expect(gatewayAccepted('{name: missing}')).toMatchObject({
      reason: 'InvalidParameters',
      message: expect.stringContaining(
        'spec.backendTLS.clientCertificateRef: Secret default/missing does not exist.',
      ),
    });
    expect(gatewayAccepted('{name: s, namespace: other}')).toMatchObject({
      reason: 'InvalidParameters',
      message: expect.stringContaining('not permitted by any ReferenceGrant'),
    });
  });
});
