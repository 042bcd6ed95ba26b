// Status of Envoy Gateway Backends: Accepted unless an endpoint is unusable (a wildcard or
// localhost FQDN, an IP field that is not an IP, a loopback IP). Envoy Gateway reports an invalid
// Backend with a condition of type "Invalid", status False, reason "Accepted"; that observable
// shape is kept so tools comparing against Envoy Gateway agree.
import { isIP } from 'node:net';
import type { Backend } from '@egts/api';
import { Conditions } from '../status/conditions.js';

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function endpointProblem(backend: Backend): string | undefined {
  for (const ep of backend.spec.endpoints ?? []) {
    if (ep.fqdn) {
      const host = ep.fqdn.hostname;
      if (!DNS_NAME.test(host))
        return `FQDN ${host} is not a valid DNS name (wildcards are not allowed).`;
      if (host === 'localhost') return 'FQDN localhost is not allowed.';
    } else if (ep.ip) {
      const address = ep.ip.address;
      if (isIP(address) === 0) return `${address} is not an IP address.`;
      if (/^127\./.test(address) || address === '::1')
        return `Loopback address ${address} is not allowed.`;
    }
  }
  return undefined;
}

export interface BackendStatus {
  resource: Backend;
  conditions: Conditions;
}

export function processBackends(backends: readonly Backend[]): BackendStatus[] {
  return backends.map((resource) => {
    const conditions = new Conditions(resource.metadata.generation ?? undefined);
    const problem = endpointProblem(resource);
    if (problem) conditions.set('Invalid', 'False', 'Accepted', problem);
    else conditions.set('Accepted', 'True', 'Accepted', 'The Backend was accepted.');
    return { resource, conditions };
  });
}
