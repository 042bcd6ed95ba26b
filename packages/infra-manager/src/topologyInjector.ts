// The topology injector (Envoy Gateway's, internal/provider/kubernetes/topology_injector.go): a
// mutating admission webhook on pods/binding that gives each egts proxy pod its node's zone.
// When the scheduler binds a pod, the API server sends the Binding here; for a proxy pod on a node
// with a `topology.kubernetes.io/zone` label the answer adds that zone as an annotation of the
// Binding, which the API server copies onto the pod (binding annotations always are; labels only
// with PodTopologyLabelsAdmission, off by default before Kubernetes 1.35). The pod's Envoy reads it
// through the downward API (kubernetesObjects' podZoneEnv) as its locality for zone-aware routing.
// The webhook only ever allows: it is registered with failurePolicy Ignore, so an egts outage
// delays no pod, and a pod bound without it simply has no zone.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { isNotFound, lazyObjectClient } from './internal/kubernetesClient.js';
import {
  COMPONENT_LABEL,
  OWNING_GATEWAY_CLASS,
  OWNING_GATEWAY_NAME,
  PROXY_POD_LABELS,
  ZONE_KEY,
} from './internal/kubernetesObjects.js';

/** The path the MutatingWebhookConfiguration names (Envoy Gateway's). */
export const TOPOLOGY_INJECTOR_PATH = '/inject-pod-topology';
/** The port egts serves it on (Envoy Gateway's webhook port). */
export const TOPOLOGY_INJECTOR_PORT = 9443;

/** What the injector needs to know of the cluster: a pod's labels, a node's labels. */
export interface TopologyLookup {
  podLabels(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  nodeLabels(name: string): Promise<Record<string, string> | undefined>;
}

/** Why a binding got a zone or not, for logs and tests. */
export type TopologyOutcome =
  | {
      readonly type: 'injected';
      readonly pod: string;
      readonly node: string;
      readonly zone: string;
    }
  | { readonly type: 'skipped'; readonly pod: string; readonly reason: string }
  | { readonly type: 'failed'; readonly pod: string; readonly error: string };

interface AdmissionReview {
  apiVersion?: string;
  request?: {
    uid?: string;
    namespace?: string;
    name?: string;
    object?: {
      metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
      target?: { kind?: string; name?: string };
    };
  };
}

/** An egts proxy pod: the labels the infra-manager gives every fleet's pods (fleetLabels). */
const isProxyPod = (labels: Record<string, string>): boolean =>
  Object.entries(PROXY_POD_LABELS).every(([key, value]) => labels[key] === value) &&
  Boolean(labels[OWNING_GATEWAY_NAME] || labels[OWNING_GATEWAY_CLASS]);

/** A JSON Pointer token (RFC 6901): `/` and `~` escaped. */
const pointerToken = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The AdmissionReview answer (admission.k8s.io/v1) for one pods/binding request: always allowed,
 * with a JSON patch adding the node's zone annotation when the pod is an egts proxy.
 */
export async function topologyAdmission(
  review: AdmissionReview,
  lookup: TopologyLookup,
): Promise<{ review: Record<string, unknown>; outcome: TopologyOutcome }> {
  const request = review.request ?? {};
  const binding = request.object ?? {};
  const namespace = binding.metadata?.namespace || request.namespace || '';
  const name = binding.metadata?.name || request.name || '';
  const pod = `${namespace}/${name}`;
  const answer = (outcome: TopologyOutcome, patch?: unknown[]) => ({
    outcome,
    review: {
      apiVersion: review.apiVersion ?? 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: request.uid ?? '',
        allowed: true,
        ...(patch
          ? {
              patchType: 'JSONPatch',
              patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
            }
          : {}),
      },
    },
  });
  const node = binding.target?.name;
  if (!node) return answer({ type: 'skipped', pod, reason: 'the binding names no node' });
  try {
    const labels = await lookup.podLabels(namespace, name);
    if (labels === undefined) return answer({ type: 'skipped', pod, reason: 'no such pod' });
    if (!isProxyPod(labels)) return answer({ type: 'skipped', pod, reason: 'not a proxy pod' });
    const zone = (await lookup.nodeLabels(node))?.[ZONE_KEY];
    if (!zone) {
      return answer({ type: 'skipped', pod, reason: `node ${node} has no ${ZONE_KEY} label` });
    }
    // The zone as it is: the Envoy locality must equal the EndpointSlices' zone, which is the
    // node's label verbatim (Envoy Gateway's injector quotes it, "%q").
    const patch = binding.metadata?.annotations
      ? [{ op: 'add', path: `/metadata/annotations/${pointerToken(ZONE_KEY)}`, value: zone }]
      : [{ op: 'add', path: '/metadata/annotations', value: { [ZONE_KEY]: zone } }];
    return answer({ type: 'injected', pod, node, zone }, patch);
  } catch (error) {
    return answer({ type: 'failed', pod, error: (error as Error).message });
  }
}

/** Pods and nodes read from the API server (the egts ServiceAccount may get both). */
export const apiServerLookup = (kubeConfig: KubeConfig): TopologyLookup => {
  const client = lazyObjectClient(kubeConfig);
  const labelsOf = async (object: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
  }) => {
    try {
      const read = await (await client()).api.read(object);
      return read.metadata?.labels ?? {};
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  return {
    podLabels: (namespace, name) =>
      labelsOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } }),
    nodeLabels: (name) => labelsOf({ apiVersion: 'v1', kind: 'Node', metadata: { name } }),
  };
};

/**
 * The MutatingWebhookConfiguration that sends proxy pods' bindings here (what the chart installs,
 * as Envoy Gateway's chart does): CREATE of pods/binding in the namespaces the proxies run in,
 * failurePolicy Ignore (binding never waits for egts), no side effects. `clientConfig` is the egts
 * Service (`service: { name, namespace, port, path }`) or a `url`, with the `caBundle` (base64 PEM)
 * that signed the serving certificate.
 */
export const topologyWebhookConfiguration = (options: {
  readonly name: string;
  readonly namespaces: readonly string[];
  readonly clientConfig: Record<string, unknown>;
}): Record<string, unknown> => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'MutatingWebhookConfiguration',
  metadata: { name: options.name, labels: { [COMPONENT_LABEL]: 'topology-injector' } },
  webhooks: [
    {
      name: TOPOLOGY_WEBHOOK_NAME,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Ignore',
      clientConfig: options.clientConfig,
      rules: [
        {
          operations: ['CREATE'],
          apiGroups: [''],
          apiVersions: ['v1'],
          resources: ['pods/binding'],
        },
      ],
      namespaceSelector: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'In', values: [...options.namespaces] },
        ],
      },
    },
  ],
});

/** The webhook's name in its configuration (Envoy Gateway's). */
export const TOPOLOGY_WEBHOOK_NAME = 'topology.webhook.gateway.envoyproxy.io';

export interface TopologyInjectorOptions {
  /** How pods and nodes are read; `apiServerLookup(kubeConfig)` in a cluster. */
  readonly lookup: TopologyLookup;
  /**
   * The serving certificate and key (PEM files; the `envoy-gateway` Secret certgen makes, whose
   * names are the egts Service's), re-read when they change so a rotated Secret is served.
   */
  readonly tls: { readonly certFile: string; readonly keyFile: string };
  /** Default 0.0.0.0 (the API server calls it through the egts Service). */
  readonly host?: string;
  /** Default 9443; 0 for a free port. */
  readonly port?: number;
  /** How often the files are polled for changes (ms); default 1000. */
  readonly reloadIntervalMs?: number;
  readonly onOutcome?: (outcome: TopologyOutcome) => void;
}

export interface TopologyInjector {
  /** Starts serving; resolves with the port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Request bodies are a Binding in an AdmissionReview: a few kB. */
const MAX_BODY_BYTES = 1 << 20;

export function createTopologyInjector(options: TopologyInjectorOptions): TopologyInjector {
  const { certFile, keyFile } = options.tls;
  const context = () => ({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
  let server: Server | undefined;
  const reload = () => {
    try {
      server?.setSecureContext(context());
    } catch {
      // A half-written file: keep serving the current pair; the next change retries.
    }
  };
  const handle = async (body: string): Promise<string> => {
    const { review, outcome } = await topologyAdmission(
      JSON.parse(body) as AdmissionReview,
      options.lookup,
    );
    options.onOutcome?.(outcome);
    return JSON.stringify(review);
  };
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        const https = createServer({ ...context(), minVersion: 'TLSv1.2' }, (req, res) => {
          const url = new URL(req.url ?? '/', 'https://injector');
          if (req.method !== 'POST' || url.pathname !== TOPOLOGY_INJECTOR_PATH) {
            res.writeHead(404).end();
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          req.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) req.destroy();
            else chunks.push(chunk);
          });
          req.on('end', () => {
            handle(Buffer.concat(chunks).toString('utf8')).then(
              (answer) => res.writeHead(200, { 'content-type': 'application/json' }).end(answer),
              (error: Error) => res.writeHead(400).end(error.message),
            );
          });
        });
        server = https;
        https.once('error', reject);
        https.listen(options.port ?? TOPOLOGY_INJECTOR_PORT, options.host ?? '0.0.0.0', () => {
          const interval = options.reloadIntervalMs ?? 1000;
          for (const file of [certFile, keyFile])
            watchFile(file, { interval, persistent: false }, reload);
          resolve((https.address() as AddressInfo).port);
        });
      }),
    close: async () => {
      for (const file of [certFile, keyFile]) unwatchFile(file, reload);
      const current = server;
      server = undefined;
      if (!current?.listening) return;
      current.closeAllConnections();
      await new Promise<void>((done) => current.close(() => done()));
    },
  };
}
