// Where Envoy loads a dynamic module from (DynamicModuleConfig, shared by the HTTP filter and the
// load balancer): a local shared library, or a remote one Envoy fetches over a cluster derived
// from the URL and checks against its sha256, as Envoy Gateway's dynamicModuleSource and
// addClusterFromURL build them
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/dynamic_modules/v3/dynamic_modules.proto).
import type { DynamicModuleSource, RouteDestination } from '@egts/ir';
import { addDestination } from '../cluster/destinationClusters.js';
import { durationMs } from '../protoValues.js';
import type { ResourceSet } from '../resourceSet.js';

/** Envoy Gateway's timeout for fetching extension code (defaultExtServiceRequestTimeout). */
const FETCH_TIMEOUT_MS = 10_000;

interface UrlCluster {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly https: boolean;
}

const urlCluster = (raw: string): UrlCluster => {
  const url = new URL(raw);
  const https = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? (https ? 443 : 80) : Number(url.port);
  return { name: `dynamic-module/${host}:${port}`, host, port, https };
};

const isIp = (host: string): boolean => /^[\d.]+$/.test(host) || host.includes(':');

/** The module's DynamicModuleConfig fields (`module`, `do_not_close`, `load_globally`). */
export function dynamicModuleConfig(source: DynamicModuleSource) {
  const module =
    source.url !== undefined
      ? {
          remote: {
            httpUri: {
              uri: source.url,
              cluster: urlCluster(source.url).name,
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
  const cluster = urlCluster(source.url);
  if (out.hasCluster(cluster.name)) return;
  const destination: RouteDestination = {
    name: cluster.name,
    settings: [
      {
        name: cluster.name,
        weight: 1,
        protocol: 'HTTP',
        addressType: isIp(cluster.host) ? 'IP' : 'FQDN',
        endpoints: [{ host: cluster.host, port: cluster.port, ready: true }],
        ...(cluster.https
          ? {
              tls: {
                sni: cluster.host,
                useSystemTrustStore: true,
                subjectAltNames: [{ type: 'Hostname' as const, value: cluster.host }],
                // The EnvoyProxy's module registry, not a BackendTLSPolicy, asks for it.
                policy: cluster.name,
              },
            }
          : {}),
      },
    ],
  };
  addDestination(destination, out);
}
