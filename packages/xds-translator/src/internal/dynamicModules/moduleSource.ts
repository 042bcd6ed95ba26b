// Where Envoy loads a dynamic module from (DynamicModuleConfig, shared by the HTTP filter and the
// load balancer): a local shared library, or a remote one Envoy fetches over a cluster derived
// from the URL and checks against its sha256, as Envoy Gateway's dynamicModuleSource and
// addClusterFromURL build them
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/dynamic_modules/v3/dynamic_modules.proto).
import type { DynamicModuleSource } from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { urlCluster, urlDestination } from '../cluster/urlCluster.js';
import { durationMs } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';

/** Envoy Gateway's timeout for fetching extension code (defaultExtServiceRequestTimeout). */
const FETCH_TIMEOUT_MS = 10_000;

/** The module's DynamicModuleConfig fields (`module`, `do_not_close`, `load_globally`). */
export function dynamicModuleConfig(source: DynamicModuleSource) {
  const module =
    source.url !== undefined
      ? {
          remote: {
            httpUri: {
              uri: source.url,
              cluster: urlCluster('dynamic-module', source.url).name,
              timeout: durationMs(FETCH_TIMEOUT_MS),
            },
            sha256: source.sha256 ?? '',
          },
        }
      : { local: { filename: source.path ?? '' } };
  return { module, doNotClose: source.doNotClose, loadGlobally: source.loadGlobally };
}

/** The cluster Envoy fetches a remote module over (one per host and port); https verified by name. */
export function addModuleFetchCluster(source: DynamicModuleSource, out: ResourceSet): void {
  if (source.url === undefined) return;
  const cluster = urlCluster('dynamic-module', source.url);
  if (out.hasCluster(cluster.name)) return;
  const tls = cluster.https
    ? {
        sni: cluster.host,
        useSystemTrustStore: true,
        subjectAltNames: [{ type: 'Hostname' as const, value: cluster.host }],
        // The EnvoyProxy's module registry, not a BackendTLSPolicy, asks for it.
        policy: cluster.name,
      }
    : undefined;
  addDestination(urlDestination(cluster, tls), out);
}
