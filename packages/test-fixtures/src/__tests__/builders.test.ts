import { describe, expect, it } from 'vitest';
import { gateway, gatewayClass, httpRoute, resourcesOf, service } from '../index.js';

describe('builders', () => {
  it('build resources the loader accepts, with defaults applied', () => {
    const resources = resourcesOf(
      gatewayClass(),
      gateway('eg').listener('http', 'HTTP', 80).build(),
      httpRoute('app').parent('eg').hostname('app.example.com').backend('app', 8080).build(),
      service('app', 8080, ['127.0.0.1']),
    );
    expect(resources.gateways[0]!.spec.listeners[0]!.allowedRoutes?.namespaces?.from).toBe('Same');
    expect(resources.httpRoutes[0]!.spec.rules[0]!.backendRefs?.[0]?.weight).toBe(1);
    expect(resources.endpointSlices).toHaveLength(1);
  });

  it('fail loudly on an invalid fixture', () => {
    expect(() => resourcesOf(gateway('eg').listener('http', 'HTTP', 0).build())).toThrow(/port/);
  });
});
