// Each document is decoded and validated once (issue #24): a valid resource costs one pass of its
// version's schema, never a strict pass followed by a lenient one; only a resource with problems
// pays more.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { httpRouteDefinition, loadResourcesFromText } from '../index.js';

const route = (name: string, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps}
spec:
  parentRefs: [{name: eg}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /${name}}}]
    backendRefs: [{name: web, port: 80}]${extra}
`;

describe('one pass per document', () => {
  afterEach(() => vi.restoreAllMocks());

  it('validates each valid resource once, with the strict schema only', () => {
    const strict = vi.spyOn(httpRouteDefinition.versions.v1!, 'safeParse');
    const lenient = vi.spyOn(httpRouteDefinition.lenientVersions.v1!, 'safeParse');
    const text = ['a', 'b', 'c'].map((name) => route(name)).join('---\n');
    const { resources, problems } = loadResourcesFromText(text, 'routes.yaml');
    expect(problems).toEqual([]);
    expect(resources.httpRoutes).toHaveLength(3);
    expect(strict).toHaveBeenCalledTimes(3);
    expect(lenient).not.toHaveBeenCalled();
  });

  it('reads a broken value rule leniently, after the strict pass found it', () => {
    const strict = vi.spyOn(httpRouteDefinition.versions.v1!, 'safeParse');
    const lenient = vi.spyOn(httpRouteDefinition.lenientVersions.v1!, 'safeParse');
    const text = route('a', '\n    timeouts: {request: forever}');
    const { problems } = loadResourcesFromText(text, 'routes.yaml', { lenient: true });
    expect(problems.some((p) => p.path.join('.').includes('timeouts'))).toBe(true);
    expect(strict).toHaveBeenCalledTimes(1);
    expect(lenient).toHaveBeenCalledTimes(1);
  });
});
