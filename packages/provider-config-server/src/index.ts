// @egts/provider-config-server: configure egts over the network. An authenticated HTTP and gRPC API
// to create, replace, read, list and delete resources, persisted to a directory, published as Resources.

export type {
  ConfigServerOptions,
  ConfigServerProvider,
  ConfigServerSnapshot,
  ConfigServerTls,
  ListenAddress,
} from './configServerProvider.js';
export { createConfigServerProvider, STATE_FILE } from './configServerProvider.js';
export {
  type ApplyRequest,
  type ApplyResponse,
  ConfigServiceClient,
  ConfigServiceService,
  type DeleteRequest,
  type DeleteResponse,
  type ListResponse,
  Problems,
  type Resource as ResourceMessage,
  type ResourceKey,
  type StatusesResponse,
} from './generated/egts/configserver/v1/config_server.js';
export type { AnonymousAccess } from './internal/auth.js';
