// @egts/provider-file: watch files and directories of Gateway API YAML/JSON and publish Resources
// snapshots; Services without EndpointSlices resolve through the host's DNS (@egts/api).

export type {
  FileProvider,
  FileProviderHealth,
  FileProviderOptions,
  FileSnapshot,
} from './fileProvider.js';
export { createFileProvider } from './fileProvider.js';
