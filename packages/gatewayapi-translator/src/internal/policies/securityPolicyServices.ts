// The `backendSettings` of a service a SecurityPolicy calls (a JWKS server, an authorization
// service, an OpenID provider's token endpoint): BackendTrafficPolicy's settings, for the
// service's cluster (`destination`) and for the requests Envoy makes to it (`route`: retry,
// request timeout).
import { type BackendTraffic, backendTraffic } from './backendTrafficIR.js';
import { type Obj, obj } from './validation/policyValues.js';

export const serviceSettings = (service: Obj | undefined): BackendTraffic => {
  const settings = obj(service?.backendSettings);
  return settings ? backendTraffic(settings) : { destination: {}, route: {} };
};
