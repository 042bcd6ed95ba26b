// @egts/test-fixtures: fluent builders of resources, and a typed bundle made through the loader.
export {
  CONTROLLER_NAME,
  GatewayBuilder,
  gateway,
  gatewayClass,
  HTTPRouteBuilder,
  httpRoute,
  namespace,
  referenceGrant,
  service,
} from './builders.js';
export { resourcesOf } from './resources.js';
