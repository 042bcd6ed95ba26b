// @egts/provider-file: watch files and directories of Gateway API YAML/JSON and publish Resources
// snapshots; Services without EndpointSlices resolve through the host's DNS.

export {
  dnsEndpointSlice,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  serviceAddress,
  withDnsEndpointSlices,
} from './dnsEndpointSlices.js';
export type {
  FileProvider,
  FileProviderHealth,
  FileProviderOptions,
  FileSnapshot,
} from './fileProvider.js';
export { createFileProvider } from './fileProvider.js';
