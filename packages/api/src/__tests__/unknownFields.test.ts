// Unknown (misspelt) fields: each an error naming file, resource and field as kubectl's strict
// field validation does, while the resource loads without it, as the API server prunes it.
import { describe, expect, it } from 'vitest';
import { formatProblem, loadResourcesFromText, refuses } from '../index.js';

const securityPolicy = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: cors, namespace: apps}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}]
  cors:
    allowOrigins: ["https://a.example"]
    alowMethods: [GET]
`;

const httpRoute = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: eg}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRef: [{name: web, port: 80}]
`;

describe('unknown fields', () => {
  it('names a misspelt SecurityPolicy field and loads the policy without it', () => {
    const { resources, problems } = loadResourcesFromText(securityPolicy, 'policy.yaml');
    expect(problems.map(formatProblem)).toEqual([
      'error: policy.yaml:8 (document 1): SecurityPolicy apps/cors: unknown field "spec.cors.alowMethods"',
    ]);
    expect(problems.some(refuses)).toBe(false);
    const [policy] = resources.securityPolicies;
    expect(policy?.spec.cors?.allowOrigins).toEqual(['https://a.example']);
    expect(policy?.spec.cors).not.toHaveProperty('alowMethods');
  });

  it('names a misspelt HTTPRoute field inside a list and loads the route without it', () => {
    const { resources, problems } = loadResourcesFromText(httpRoute, 'route.yaml');
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'route.yaml',
        line: 8,
        kind: 'HTTPRoute',
        namespace: 'apps',
        name: 'web',
        path: ['spec', 'rules', 0, 'backendRef'],
        message: 'unknown field "spec.rules[0].backendRef"',
        pruned: true,
      }),
    ]);
    const [route] = resources.httpRoutes;
    expect(route?.spec.rules[0]).not.toHaveProperty('backendRef');
    // Read through the same schema as a clean route: its defaults are there.
    expect(route?.spec.rules[0]?.matches?.[0]?.path?.type).toBe('PathPrefix');
    expect(route?.spec.parentRefs?.[0]?.kind).toBe('Gateway');
  });

  it('still refuses a resource whose other fields break the schema', () => {
    const broken = httpRoute.replace('PathPrefix', 'Prefix');
    const { resources, problems } = loadResourcesFromText(broken, 'route.yaml');
    expect(resources.httpRoutes).toEqual([]);
    expect(problems.filter(refuses)).toHaveLength(1);
    expect(problems.filter((p) => p.pruned)).toHaveLength(1);
  });
});
