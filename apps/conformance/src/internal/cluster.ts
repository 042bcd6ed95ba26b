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

/** The local servers standing in for one pod of a Deployment. */
interface Pod {
  echo: StandInServer;
  /** The HTTPS echo of a Deployment that mounts a serving certificate, on container port 8443. */
  tlsEcho?: Pick<EchoServer, 'port' | 'close'>;
  /** The h2c echo, for Service ports with appProtocol kubernetes.io/h2c or container port 3001. */
  h2cEcho?: EchoServer;
}

interface Stored {
  object: KubeObject;
  /** A workload's pods: one, or `spec.replicas` for the Deployments told to run them all. */
  pods?: Pod[];
}

/** Container port on which echo-basic serves HTTPS when given TLS_SERVER_CERT. */
const TLS_CONTAINER_PORT = 8443;
/** Container port on which echo-basic serves h2c (its H2C_PORT). */
const H2C_CONTAINER_PORT = 3001;

const closePod = async (pod: Pod): Promise<void> => {
  await pod.echo.close();
  await pod.tlsEcho?.close();
  await pod.h2cEcho?.close();
};

const pickLabels = (deployment: KubeObject): Record<string, string> => {
  const template = (deployment.spec?.template ?? {}) as {
    metadata?: { labels?: Record<string, string> };
  };
  return template.metadata?.labels ?? {};
};

/** What a stand-in runs: its port, and further ports by the container port they stand for. */
export type StandInServer = Pick<EchoServer, 'port' | 'close'> & {
  readonly ports?: Readonly<Record<number, number>>;
  /**
   * The pod's own loopback address, where its EndpointSlice points (default 127.0.0.1), for a
   * pod reached at a fixed port of its address (an ORCA reporter); it still answers on 127.0.0.1.
   */
  readonly address?: string;
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

/** `<service>.<namespace>[.svc[.cluster.local]]`: a Service by its cluster DNS name. */
const SERVICE_HOST = /^([a-z0-9-]+)\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?\.?$/;

/**
 * Cluster DNS and the Service proxy, for Backends: an FQDN endpoint naming a Service by its
 * cluster DNS name (`<service>.<namespace>`) resolves, in a cluster, to the Service's address
 * and reaches a pod through the Service port. Here it names the local server standing in for
 * that Service port, still by name (`localhost`, which Envoy resolves; the harness translates with
 * loopback Backends allowed), so the Backend stays of type FQDN as in the suite; the Service's
 * name stays the endpoint's hostname, what a host rewrite from the backend sends. Hosts naming
 * no running Service are left as written.
 */
const withServiceAddresses = (
  object: KubeObject,
  servicePorts: ReadonlyMap<string, number>,
): KubeObject => {
  const endpoints = object.spec?.endpoints;
  if (object.kind !== 'Backend' || !Array.isArray(endpoints)) return object;
  const resolved = endpoints.map(
    (endpoint: { fqdn?: { hostname: string; port: number }; hostname?: string }) => {
      const match = endpoint.fqdn && SERVICE_HOST.exec(endpoint.fqdn.hostname);
      const port = match && servicePorts.get(`${match[1]}.${match[2]}:${endpoint.fqdn!.port}`);
      if (!port) return endpoint;
      return {
        ...endpoint,
        hostname: endpoint.hostname ?? endpoint.fqdn!.hostname,
        fqdn: { hostname: 'localhost', port },
      };
    },
  );
  return { ...object, spec: { ...object.spec, endpoints: resolved } };
};

export class Cluster {
  readonly #objects = new Map<string, Stored>();
  readonly #standIns: readonly StandIn[];
  readonly #replicated: ReadonlySet<string>;

  /**
   * `replicated`: Deployments (`namespace/name`) that run one local server per replica, for the
   * tests that count which pod answered (load balancing); every other Deployment runs one.
   */
  constructor(standIns: readonly StandIn[] = [], replicated: readonly string[] = []) {
    this.#standIns = standIns;
    this.#replicated = new Set(replicated);
  }
  #clock = Date.parse('2026-01-01T00:00:00Z');
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
        const namespace = object.metadata.namespace ?? 'default';
        // `replicas: 0` runs no pod (a Service without endpoints); otherwise one local server,
        // or one per replica for the Deployments the tests count pods of.
        const wanted = Number(object.spec?.replicas ?? 1);
        const replicas =
          wanted === 0
            ? 0
            : this.#replicated.has(`${namespace}/${object.metadata.name}`)
              ? Math.max(1, wanted)
              : 1;
        stored.pods = [];
        for (let i = 0; i < replicas; i++) stored.pods.push(await this.#startPod(object));
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
      for (const pod of stored.pods ?? []) await closePod(pod);
    }
  }

  /** Starts the local servers of one pod of a workload. */
  async #startPod(object: KubeObject): Promise<Pod> {
    this.#podSeq += 1;
    const pod = `${object.metadata.name}-${this.#podSeq.toString(16).padStart(5, '0')}`;
    const namespace = object.metadata.namespace ?? 'default';
    const standIn = this.#standIns.find((s) => imageOf(object).includes(s.image));
    if (standIn)
      return {
        echo: await standIn.start(namespace, pod, object, (kind, ns, name) =>
          this.get(kind, ns, name),
        ),
      };
    const tls = this.#servingCertificate(object);
    if (this.#hasEnv(object, 'GRPC_ECHO_SERVER')) {
      // echo-basic in gRPC mode: plaintext HTTP/2 on its port (appProtocol kubernetes.io/h2c);
      // with TLS_SERVER_CERT, GrpcEcho also serves over TLS on container port 8443.
      const echo = await startGrpcEchoServer(namespace, pod);
      return tls ? { echo, tlsEcho: await startGrpcEchoServer(namespace, pod, tls) } : { echo };
    }
    const echo = await startEchoServer(namespace, pod);
    const h2cEcho = await startH2cEchoServer(namespace, pod);
    return tls
      ? { echo, h2cEcho, tlsEcho: await startEchoServer(namespace, pod, tls) }
      : { echo, h2cEcho };
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
    const pods = this.#objects.get(`Deployment/${namespace}/${deployment}`)?.pods ?? [];
    return pods.flatMap((pod) => (pod.echo as { requests?: readonly string[] }).requests ?? []);
  }

  /**
   * `kubectl rollout restart` of a Deployment: new pods replace its pods, whose endpoints go with
   * them; the old pods keep serving until the returned function stops them (after the proxies
   * have the new endpoints, as a terminating pod drains).
   */
  async restart(namespace: string, deployment: string): Promise<() => Promise<void>> {
    const stored = this.#objects.get(`Deployment/${namespace}/${deployment}`);
    if (stored?.pods === undefined) throw new Error(`no Deployment ${namespace}/${deployment}`);
    const old = stored.pods;
    const fresh: Pod[] = [];
    for (let i = 0; i < old.length; i++) fresh.push(await this.#startPod(stored.object));
    stored.pods = fresh;
    return async () => {
      for (const pod of old) await closePod(pod);
    };
  }

  /** The port of the echo server standing in for a Deployment's (first) pod. */
  echoPort(namespace: string, deployment: string): number | undefined {
    return this.#objects.get(`Deployment/${namespace}/${deployment}`)?.pods?.[0]?.echo.port;
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#objects.get(`${kind}/${namespace ?? ''}/${name}`)?.object;
  }

  /**
   * Cluster DNS and the Service proxy for a client inside the cluster (the control plane): the
   * local port standing in for port `port` of the Service named `host` (`<service>.<namespace>`).
   */
  servicePort(host: string, port: number): number | undefined {
    const match = SERVICE_HOST.exec(host);
    if (!match) return undefined;
    return this.#servicePorts().get(`${match[1]}.${match[2]}:${port}`);
  }

  #servicePorts(): Map<string, number> {
    const ports = new Map<string, number>();
    this.objects(ports);
    return ports;
  }

  /** The configuration objects plus one EndpointSlice per Service that selects a running backend. */
  objects(servicePorts = new Map<string, number>()): KubeObject[] {
    const config: KubeObject[] = [];
    const workloads: Stored[] = [];
    for (const stored of this.#objects.values()) {
      if (stored.pods) workloads.push(stored);
      else config.push(stored.object);
    }
    const slices: KubeObject[] = [];
    // servicePorts: "<service>.<namespace>:<service port>" -> the local port standing in for it.
    for (const service of config.filter((o) => o.kind === 'Service')) {
      const selector = (service.spec?.selector ?? {}) as Record<string, string>;
      if (Object.keys(selector).length === 0) continue;
      const ns = service.metadata.namespace ?? 'default';
      const backends = workloads
        .filter(
          (w) =>
            (w.object.metadata.namespace ?? 'default') === ns &&
            Object.entries(selector).every(([k, v]) => pickLabels(w.object)[k] === v),
        )
        .flatMap((w) => w.pods ?? []);
      if (backends.length === 0) continue;
      const ports = (service.spec?.ports ?? []) as Array<{
        name?: string;
        port: number;
        targetPort?: number | string;
        appProtocol?: string;
      }>;
      // One slice per pod: its servers listen on ports of their own, named per container port.
      backends.forEach((backend, i) => {
        const localPort = (p: (typeof ports)[number]): number =>
          backend.echo?.ports?.[Number(p.targetPort ?? p.port)] ??
          ((p.targetPort ?? p.port) === TLS_CONTAINER_PORT && backend.tlsEcho
            ? backend.tlsEcho.port
            : (p.appProtocol === 'kubernetes.io/h2c' ||
                  (p.targetPort ?? p.port) === H2C_CONTAINER_PORT) &&
                backend.h2cEcho
              ? backend.h2cEcho.port
              : backend.echo!.port);
        for (const p of ports)
          servicePorts.set(`${service.metadata.name}.${ns}:${p.port}`, localPort(p));
        slices.push({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `${service.metadata.name}-${i}`,
            namespace: ns,
            labels: { 'kubernetes.io/service-name': service.metadata.name },
          },
          addressType: 'IPv4',
          endpoints: [
            { addresses: [backend.echo?.address ?? '127.0.0.1'], conditions: { ready: true } },
          ],
          ports: ports.map((p) => ({
            ...(p.name ? { name: p.name } : {}),
            port: localPort(p),
            protocol: 'TCP',
            ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
          })),
        });
      });
    }
    return [...config.map((o) => withServiceAddresses(o, servicePorts)), ...slices];
  }

  /** What egts reads: the objects decoded by @egts/api as the file provider does (lenient). */
  resources(): { resources: Resources; problems: Problem[] } {
    const text = this.objects()
      .map((o) => stringify(o))
      .join('---\n');
    return loadResourcesFromText(text, 'cluster', { lenient: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.#objects.values()].flatMap((s) => (s.pods ?? []).map(closePod)));
    this.#objects.clear();
  }
}
