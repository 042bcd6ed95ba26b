// @egts/extension-manager: Envoy Gateway's extension manager. Calls an extension server (the
// EnvoyGateway `extensionManager`, gRPC service envoygateway.extension.EnvoyGatewayExtension)
// at Envoy Gateway's hooks on a fleet's xDS resources, with its messages and semantics, so an
// extension written for Envoy Gateway works unchanged. A stage of its own, not part of
// @egts/xds-translator: hooks are network calls, and that translator stays pure and synchronous.
export {
  createExtensionManager,
  ExtensionHookError,
  type ExtensionManager,
  type ExtensionManagerOptions,
  type NamedExtensionManager,
  notAppliedSettings,
} from './createExtensionManager.js';
export {
  type ExtendResult,
  extendXds,
  extendXdsChain,
  type HookTarget,
  unpatched,
} from './extendXds.js';
export {
  connectExtension,
  type ExtensionClient,
  type ExtensionClientOptions,
  type ExtensionTls,
  extensionTarget,
} from './extensionClient.js';
