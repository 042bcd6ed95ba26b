// @egts/xds-translator: xDS IR -> Envoy resources (Listener, RouteConfiguration, Cluster,
// ClusterLoadAssignment, Secret), and a runnable static bootstrap.
export type { BootstrapOptions } from './bootstrap.js';
export { DEFAULT_ADMIN_PORT, translateBootstrap } from './bootstrap.js';
export { createXdsTranslator, type XdsTranslator } from './createXdsTranslator.js';
// EnvoyPatchPolicy patches on final resources, for a stage that changes them before the patches
// (the extension server's hooks, @egts/extension-manager).
export { applyEnvoyPatches } from './internal/patches/applyEnvoyPatches.js';
export { createRateLimitConfigs, rateLimitConfigs } from './rateLimitConfigs.js';
export type { XdsResourceType } from './render.js';
export {
  bootstrapToJson,
  envoyTextChunks,
  formatEnvoyJson,
  streamedBootstrap,
  streamedXdsResources,
  XDS_RESOURCE_TYPES,
  xdsResourcesToJson,
} from './render.js';
export { jsonChunks, StreamedArray, StreamedObject, yamlChunks } from './streamedText.js';
export { translateXds } from './translateXds.js';
export type { TranslateXdsOptions, XdsMode, XdsResources } from './xdsResources.js';
