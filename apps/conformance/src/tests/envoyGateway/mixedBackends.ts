// Envoy Gateway's HTTPRouteMixedBackends e2e test (test/e2e/tests/httproute_mixed_backends.go):
// one rule splits between a Service and a Backend (an FQDN naming infra-backend-v2's Service by
// its cluster DNS name), and both answer. Same manifest, through egts and real Envoy.
import { accepted, type ConformanceTest, gw, infra } from '../../conformanceTest.js';

const mixed = (backend: string) => ({
  request: { host: 'mixed.example.com', path: '/mixed' },
  namespace: infra,
  backend,
});

export const httpRouteMixedBackendsTest: ConformanceTest = {
  name: 'HTTPRouteMixedBackends',
  description:
    'HTTPRoute rule that mixes Service and Backend refs should successfully route to both targets',
  features: ['Backend'],
  manifests: ['httproute-mixed-backends.yaml'],
  statuses: [
    ...accepted(gw('same-namespace'), ['httproute-mixed-backends']),
    {
      kind: 'Backend',
      namespace: infra,
      name: 'backend-mixed-fqdn',
      conditions: [{ type: 'Accepted', status: 'True' }],
    },
  ],
  requests: [mixed('infra-backend-v1'), mixed('infra-backend-v2')],
};
