// A stand-in for the Kubernetes API server the suite talks to: holds the applied objects with
// their creation order and generations, runs each backend Deployment as a local echo server, and
// points each Service at it with an EndpointSlice, as the endpoints controller would.
import { isDeepStrictEqual } from 'node:util';
import { loadResourcesFromText, type Problem, type Resources } from '@egts/api';
import { parseAllDocuments, stringify } from 'yaml';
import { type EchoServer, startEchoServer } from './echoServer.js';
import { startGrpcEchoServer } from './grpcEcho.js';
import { startH2cEchoServer } from './h2cEchoServer.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    creationTimestamp?: string;
    generation?: number;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Kinds the suite applies that are workloads, not configuration: run locally, never translated. */
const WORKLOAD_KINDS = new Set(['Deployment', 'Pod', 'StatefulSet', 'DaemonSet']);

export const objectKey = (o: Pick<KubeObject, 'kind' | 'metadata'>): string =>
  `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Splits multi-document YAML into objects, filling the suite's placeholders first. */
export const parseManifests = (
  text: string,
  placeholders: Record<string, string>,
): KubeObject[] => {
  let filled = text;
  for (const [name, value] of Object.entries(placeholders)) filled = filled.replaceAll(name, value);
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(filled)) {
    if (doc.errors.length > 0) throw new Error(`manifest YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as KubeObject | null;
    if (value && typeof value === 'object' && value.kind) objects.push(value);
  }
  return objects;
};

interface Stored {
  object: KubeObject;
  echo?: StandInServer;
  /** The HTTPS echo of a Deployment that mounts a serving certificate, on container port 8443. */
  tlsEcho?: Pick<EchoServer, 'port' | 'close'>;
  /** The h2c echo, for Service ports with appProtocol kubernetes.io/h2c. */
  h2cEcho?: EchoServer;
}

/** Container port on which echo-basic serves cleartext HTTP/2 (h2c). */
const H2C_CONTAINER_PORT = 3001;

/** Container port on which echo-basic serves HTTPS when given TLS_SERVER_CERT. */
const TLS_CONTAINER_PORT = 8443;

const pickLabels = (deployment: KubeObject): Record<string, string> => {
  const template = (deployment.spec?.template ?? {}) as {
    metadata?: { labels?: Record<string, string> };
  };
  return template.metadata?.labels ?? {};
};

/** What a stand-in runs: its port, and further ports by the container port they stand for. */
export type StandInServer = Pick<EchoServer, 'port' | 'close'> & {
  readonly ports?: Readonly<Record<number, number>>;
};

/** A local process standing in for the pods of a Deployment running a given image. */
export interface StandIn {
  /** Matches the image of the Deployment's first container (a substring). */
  readonly image: string;
  /** `deployment`: the applied object; `get`: other applied objects (mounted Secrets). */
  start(
    namespace: string,
    pod: string,
    deployment: KubeObject,
    get: (kind: string, namespace: string, name: string) => KubeObject | undefined,
  ): Promise<StandInServer>;
}

const imageOf = (deployment: KubeObject): string => {
  const template = (deployment.spec?.template ?? {}) as {
    spec?: { containers?: { image?: string }[] };
  };
  return template.spec?.containers?.[0]?.image ?? '';
};

/** `<service>.<namespace>.svc[.cluster.local]`: a name the cluster's DNS would answer. */
const CLUSTER_DNS = /^([a-z0-9-]+)\.([a-z0-9-]+)(\.svc(\.cluster\.local)?)?\.?$/;

/**
 * The cluster's DNS for a Backend: an FQDN endpoint naming a Service is the local server behind
 * that Service port, still by name (`localhost`, which Envoy resolves), so the Backend stays of
 * type FQDN as in the suite.
 */
const resolveClusterDns = (
  backend: KubeObject,
  served: ReadonlyMap<string, number>,
): KubeObject => {
  const endpoints = (backend.spec?.endpoints ?? []) as Array<{
    fqdn?: { hostname: string; port: number };
    hostname?: string;
  }>;
  if (endpoints.length === 0) return backend;
  const resolved = endpoints.map((ep) => {
    const match = ep.fqdn ? CLUSTER_DNS.exec(ep.fqdn.hostname) : null;
    const port = match ? served.get(`${match[1]}.${match[2]}|${ep.fqdn!.port}`) : undefined;
    // The name stays the endpoint's hostname: what a host rewrite from the backend sends.
    return port === undefined
      ? ep
      : {
          ...ep,
          hostname: ep.hostname ?? ep.fqdn!.hostname,
          fqdn: { hostname: 'localhost', port },
        };
  });
  return { ...backend, spec: { ...backend.spec, endpoints: resolved } };
};

export class Cluster {
  readonly #objects = new Map<string, Stored>();
  readonly #standIns: readonly StandIn[];

  constructor(standIns: readonly StandIn[] = []) {
    this.#standIns = standIns;
  }
  #clock = Date.parse('2026-01-01T00:00:00Z');
  #clusterDns: ReadonlyMap<string, number> = new Map();

  /**
   * The cluster's DNS for the control plane's own requests (the Wasm cache's fetches): a URL
   * naming a Service port becomes the local server behind it; any other URL is kept.
   */
  resolveUrl(url: string): string {
    const parsed = new URL(url);
    const match = CLUSTER_DNS.exec(parsed.hostname);
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    const local = match ? this.#clusterDns.get(`${match[1]}.${match[2]}|${port}`) : undefined;
    if (local === undefined) return url;
    parsed.hostname = '127.0.0.1';
    parsed.port = String(local);
    return parsed.toString();
  }
  #podSeq = 0;

  /** Creates or updates objects in order; an update with a new spec bumps `generation`. */
  async apply(objects: readonly KubeObject[]): Promise<void> {
    for (const input of objects) {
      const object = structuredClone(input);
      const key = objectKey(object);
      const existing = this.#objects.get(key);
      if (existing) {
        const sameSpec = isDeepStrictEqual(existing.object.spec, object.spec);
        object.metadata.creationTimestamp = existing.object.metadata.creationTimestamp!;
        object.metadata.generation =
          (existing.object.metadata.generation ?? 1) + (sameSpec ? 0 : 1);
        existing.object = object;
        continue;
      }
      // The API server labels every Namespace with its name (NamespaceDefaultLabelName).
      if (object.kind === 'Namespace')
        object.metadata.labels = {
          ...object.metadata.labels,
          'kubernetes.io/metadata.name': object.metadata.name,
        };
      this.#clock += 1_000;
      object.metadata.creationTimestamp = new Date(this.#clock).toISOString().replace('.000', '');
      object.metadata.generation = 1;
      const stored: Stored = { object };
      if (WORKLOAD_KINDS.has(object.kind)) {
        this.#podSeq += 1;
        const pod = `${object.metadata.name}-${this.#podSeq.toString(16).padStart(5, '0')}`;
        const namespace = object.metadata.namespace ?? 'default';
        const standIn = this.#standIns.find((s) => imageOf(object).includes(s.image));
        if (standIn) {
          stored.echo = await standIn.start(namespace, pod, object, (kind, ns, name) =>
            this.get(kind, ns, name),
          );
        } else if (this.#hasEnv(object, 'GRPC_ECHO_SERVER')) {
          // echo-basic in gRPC mode: plaintext HTTP/2 on its port (appProtocol kubernetes.io/h2c).
          stored.echo = await startGrpcEchoServer(namespace, pod);
          // With TLS_SERVER_CERT, GrpcEcho also serves over TLS on container port 8443.
          const tls = this.#servingCertificate(object);
          if (tls) stored.tlsEcho = await startGrpcEchoServer(namespace, pod, tls);
        } else {
          stored.echo = await startEchoServer(namespace, pod);
          stored.h2cEcho = await startH2cEchoServer(namespace, pod);
          const tls = this.#servingCertificate(object);
          if (tls) stored.tlsEcho = await startEchoServer(namespace, pod, tls);
        }
      }
      this.#objects.set(key, stored);
    }
  }

  async delete(objects: readonly Pick<KubeObject, 'kind' | 'metadata'>[]): Promise<void> {
    for (const object of objects) {
      const key = objectKey(object);
      const stored = this.#objects.get(key);
      if (!stored) continue;
      this.#objects.delete(key);
      await stored.echo?.close();
      await stored.tlsEcho?.close();
      await stored.h2cEcho?.close();
    }
  }

  #hasEnv(deployment: KubeObject, name: string): boolean {
    const pod = (deployment.spec?.template ?? {}) as {
      spec?: { containers?: Array<{ env?: Array<{ name: string }> }> };
    };
    return pod.spec?.containers?.some((c) => c.env?.some((e) => e.name === name)) ?? false;
  }

  /**
   * The certificate a Deployment mounts from a Secret for echo-basic's TLS_SERVER_CERT, and the CA
   * bundle it mounts from a ConfigMap for TLS_CLIENT_CACERTS (client certificates checked if given).
   */
  #servingCertificate(
    deployment: KubeObject,
  ): { cert: string; key: string; clientCa?: string } | undefined {
    const pod = (deployment.spec?.template ?? {}) as {
      spec?: {
        containers?: Array<{ env?: Array<{ name: string }> }>;
        volumes?: Array<{
          secret?: { secretName?: string };
          configMap?: { name?: string; items?: Array<{ key: string }> };
        }>;
      };
    };
    const wantsTls = pod.spec?.containers?.some((c) =>
      c.env?.some((e) => e.name === 'TLS_SERVER_CERT'),
    );
    const secretName = pod.spec?.volumes?.find((v) => v.secret?.secretName)?.secret?.secretName;
    if (!wantsTls || !secretName) return undefined;
    const secret = this.get('Secret', deployment.metadata.namespace, secretName) as
      | { data?: Record<string, string> }
      | undefined;
    const cert = secret?.data?.['tls.crt'];
    const key = secret?.data?.['tls.key'];
    if (!cert || !key) return undefined;
    const wantsClientCa = pod.spec?.containers?.some((c) =>
      c.env?.some((e) => e.name === 'TLS_CLIENT_CACERTS'),
    );
    const caVolume = pod.spec?.volumes?.find((v) => v.configMap?.name)?.configMap;
    const configMap =
      wantsClientCa && caVolume?.name
        ? (this.get('ConfigMap', deployment.metadata.namespace, caVolume.name) as
            | { data?: Record<string, string> }
            | undefined)
        : undefined;
    const clientCa = configMap?.data?.[caVolume?.items?.[0]?.key ?? 'ca.crt'];
    return {
      cert: Buffer.from(cert, 'base64').toString(),
      key: Buffer.from(key, 'base64').toString(),
      ...(clientCa ? { clientCa } : {}),
    };
  }

  /** The request paths a Deployment's plain HTTP echo answered (its "pod log"). */
  requestLog(namespace: string, deployment: string): readonly string[] {
    const echo = this.#objects.get(`Deployment/${namespace}/${deployment}`)?.echo as
      | { requests?: readonly string[] }
      | undefined;
    return echo?.requests ?? [];
  }

  /** The port of the echo server standing in for a Deployment's pods. */
  echoPort(namespace: string, deployment: string): number | undefined {
    return this.#objects.get(`Deployment/${namespace}/${deployment}`)?.echo?.port;
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#objects.get(`${kind}/${namespace ?? ''}/${name}`)?.object;
  }

  /** The configuration objects plus one EndpointSlice per Service that selects a running backend. */
  objects(): KubeObject[] {
    const config: KubeObject[] = [];
    const workloads: Stored[] = [];
    for (const stored of this.#objects.values()) {
      if (stored.echo) workloads.push(stored);
      else config.push(stored.object);
    }
    const slices: KubeObject[] = [];
    // "<service>.<namespace>|<port>" -> the local port serving it: cluster DNS for Backends.
    const served = new Map<string, number>();
    this.#clusterDns = served;
    for (const service of config.filter((o) => o.kind === 'Service')) {
      const selector = (service.spec?.selector ?? {}) as Record<string, string>;
      if (Object.keys(selector).length === 0) continue;
      const ns = service.metadata.namespace ?? 'default';
      const backends = workloads.filter(
        (w) =>
          (w.object.metadata.namespace ?? 'default') === ns &&
          Object.entries(selector).every(([k, v]) => pickLabels(w.object)[k] === v),
      );
      if (backends.length === 0) continue;
      const ports = (service.spec?.ports ?? []) as Array<{
        name?: string;
        port: number;
        targetPort?: number | string;
        appProtocol?: string;
      }>;
      // One local server per Deployment answers on every Service port (the pods listen on one).
      backends.forEach((backend, i) => {
        const localPorts = ports.map(
          (p) =>
            backend.echo?.ports?.[Number(p.targetPort ?? p.port)] ??
            ((p.targetPort ?? p.port) === TLS_CONTAINER_PORT && backend.tlsEcho
              ? backend.tlsEcho.port
              : p.appProtocol === 'kubernetes.io/h2c' && backend.h2cEcho
                ? backend.h2cEcho.port
                : backend.echo!.port),
        );
        ports.forEach((p, j) => {
          const key = `${service.metadata.name}.${ns}|${p.port}`;
          // echo-basic serves h2c on container port 3001 (its H2C_PORT): a Backend reaching
          // it by name speaks HTTP/2 there (appProtocols h2c).
          const h2c =
            Number(p.targetPort) === H2C_CONTAINER_PORT ? backend.h2cEcho?.port : undefined;
          if (!served.has(key)) served.set(key, h2c ?? localPorts[j]!);
        });
        slices.push({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `${service.metadata.name}-${i}`,
            namespace: ns,
            labels: { 'kubernetes.io/service-name': service.metadata.name },
          },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
          ports: ports.map((p, j) => ({
            ...(p.name ? { name: p.name } : {}),
            port: localPorts[j]!,
            protocol: 'TCP',
            ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
          })),
        });
      });
    }
    return [
      ...config.map((o) => (o.kind === 'Backend' ? resolveClusterDns(o, served) : o)),
      ...slices,
    ];
  }

  /** What egts reads: the objects decoded by @egts/api as the file provider does (lenient). */
  resources(): { resources: Resources; problems: Problem[] } {
    const text = this.objects()
      .map((o) => stringify(o))
      .join('---\n');
    return loadResourcesFromText(text, 'cluster', { lenient: true });
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.#objects.values()].flatMap((s) => [
        s.echo?.close(),
        s.tlsEcho?.close(),
        s.h2cEcho?.close(),
      ]),
    );
    this.#objects.clear();
  }
}
