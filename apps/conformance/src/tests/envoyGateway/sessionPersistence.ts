// Envoy Gateway's SessionPersistence e2e test (test/e2e/tests/session_persistence.go): skipped
// with its reason, the manifest's API form being one egts does not serve.
import type { ConformanceTest } from '../../conformanceTest.js';

export const sessionPersistenceTest: ConformanceTest = {
  name: 'SessionPersistence',
  description: 'Test session persistence',
  features: ['BackendTrafficPolicy'],
  manifests: ['httproute-session-persistence.yaml'],
  skip: "its manifest names the session with Gateway API's former sessionPersistence fields (sessionName, cookieConfig); the Gateway API CRDs egts serves (../shared/gateway-api/crds) name it with cookie.name / header.name instead, so an API server would prune those fields and the session names the test reads would be generated ones",
};
