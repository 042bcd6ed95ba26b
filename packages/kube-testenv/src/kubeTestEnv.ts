// A real etcd + kube-apiserver on loopback for integration tests (controller-runtime's envtest in
// TypeScript): free ports, a temporary data dir, a static bearer token, a kubeconfig, CRDs installed.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@egts/envoy-binary';
import { parseAllDocuments } from 'yaml';
import { type KubeRequest, kubeRequest } from './kubeRequest.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where scripts/setup-kube.sh puts the binaries (override with EGTS_KUBE_BIN). */
export const kubeBinDir = (): string =>
  process.env.EGTS_KUBE_BIN ?? join(repoRoot, '.tools', 'kube', 'bin');

/** The CRD folders the tests install: Gateway API (experimental channel) and Envoy Gateway's. */
export const sharedCrdDirs = (): string[] => [
  resolve(repoRoot, '../shared/gateway-api/crds/experimental'),
  resolve(repoRoot, '../shared/envoy-gateway/crds'),
];

/**
 * Why the test environment cannot start here, or undefined when it can: the binaries
 * scripts/setup-kube.sh builds, and ../shared with the CRDs. Tests skip with this message.
 */
export const kubeTestEnvUnavailable = (): string | undefined => {
  const bin = kubeBinDir();
  for (const name of ['etcd', 'kube-apiserver']) {
    if (!existsSync(join(bin, name))) {
      return `${join(bin, name)} is missing: run scripts/setup-kube.sh (needs Go and the Go module proxy)`;
    }
  }
  for (const dir of sharedCrdDirs()) {
    if (!existsSync(dir)) return `${dir} is missing: the CRDs come from ../shared`;
  }
  return undefined;
};

export interface KubeTestEnv {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** A bearer token in group system:masters. */
  readonly token: string;
  /** A kubeconfig file (context `egts-test`) for clients such as @kubernetes/client-node. */
  readonly kubeconfigPath: string;
  /** The same kubeconfig, as YAML text. */
  readonly kubeconfig: string;
  /** An authenticated JSON request to the API server (TLS verified against its serving CA). */
  readonly request: KubeRequest;
  /** Applies every YAML document of the files (create, or replace when it exists). */
  apply(objects: readonly Record<string, unknown>[]): Promise<void>;
  /**
   * Kills the API server (SIGKILL: every connection drops, as in a crash) and starts it again on
   * the same port and etcd, resolving once it is ready: what a provider's watches must survive.
   */
  restartApiServer(): Promise<void>;
  /** Stops the API server before etcd, then removes the data dir. Idempotent. */
  stop(): Promise<void>;
}

export interface KubeTestEnvOptions {
  /** CRD directories or files to install and wait for; default `sharedCrdDirs()`. */
  readonly crdPaths?: readonly string[];
  /** How long the API server may take to become ready; default 120 s (a loaded 2-core machine). */
  readonly startTimeoutMs?: number;
  /**
   * Serve ClusterTrustBundles (certificates.k8s.io/v1beta1: a beta API, off by default in
   * Kubernetes 1.33+, behind the ClusterTrustBundle feature gate); default true. False gives an
   * API server without them, as most clusters still are.
   */
  readonly clusterTrustBundles?: boolean;
  /**
   * More kube-apiserver feature gates, e.g. `{ PodTopologyLabelsAdmission: true }` (KEP-4742:
   * alpha and off in 1.33-1.34, beta from 1.35) to have pods/binding copy the node's
   * topology.kubernetes.io/zone and region labels onto the pod. Admission webhooks need no gate:
   * a MutatingWebhookConfiguration whose clientConfig is a `url` on 127.0.0.1 with its `caBundle`
   * is called as in a cluster.
   */
  readonly featureGates?: Readonly<Record<string, boolean>>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Proc {
  child: ChildProcess;
  log: string[];
  exited: Promise<void>;
}

const startProcess = (name: string, path: string, args: string[]): Proc => {
  const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.once('error', (error) => {
      log.push(`${name}: ${error.message}`);
      done();
    });
  });
  return { child, log, exited };
};

const stopProcess = async (proc: Proc | undefined): Promise<void> => {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const killed = await Promise.race([
    proc.exited.then(() => true),
    sleep(10_000).then(() => false),
  ]);
  if (!killed) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
};

const tail = (proc: Proc): string => proc.log.join('').split('\n').slice(-30).join('\n');

const crdFiles = async (paths: readonly string[]): Promise<string[]> => {
  const files: string[] = [];
  for (const path of paths) {
    if (path.endsWith('.yaml') || path.endsWith('.yml')) {
      files.push(path);
      continue;
    }
    for (const name of (await readdir(path)).sort()) {
      if (/\.ya?ml$/.test(name) && name !== 'kustomization.yaml') files.push(join(path, name));
    }
  }
  return files;
};

/** Every document of the YAML files, as plain objects (empty documents dropped). */
export const readYamlObjects = async (
  files: readonly string[],
): Promise<Record<string, unknown>[]> => {
  const objects: Record<string, unknown>[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const value = doc.toJS() as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        objects.push(value as Record<string, unknown>);
      }
    }
  }
  return objects;
};

/** The REST path of an object's collection, for the kinds tests create (core, CRDs, others). */
export const collectionPath = (
  apiVersion: string,
  plural: string,
  namespace: string | undefined,
): string => {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
};

const pluralOf = (kind: string): string => {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
};

const clusterScoped = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'GatewayClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ClusterTrustBundle',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'Node',
]);

/**
 * Starts etcd and kube-apiserver. Throws (after stopping whatever started) with the processes'
 * last output when they do not come up. Call `stop()` in an afterAll.
 */
export const startKubeTestEnv = async (options: KubeTestEnvOptions = {}): Promise<KubeTestEnv> => {
  const unavailable = kubeTestEnvUnavailable();
  if (unavailable) throw new Error(unavailable);
  const bin = kubeBinDir();
  const dir = await mkdtemp(join(tmpdir(), 'egts-kube-'));
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(24).toString('hex');
  let etcd: Proc | undefined;
  let apiserver: Proc | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopProcess(apiserver);
    await stopProcess(etcd);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    etcd = startProcess('etcd', join(bin, 'etcd'), [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      // Test data is thrown away: skip fsync, as envtest does.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    // A static token in system:masters (RBAC lets it do anything); service-account keys because the
    // API server will not start without an issuer and a signing key.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    await writeFile(
      join(dir, 'tokens.csv'),
      `${token},egts-test-admin,egts-test-admin,system:masters\n`,
    );
    const gates = Object.entries({
      ...(options.clusterTrustBundles === false ? {} : { ClusterTrustBundle: true }),
      ...options.featureGates,
    }).map(([gate, on]) => `${gate}=${on}`);
    const apiArgs = [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      `--etcd-prefix=/egts-${randomBytes(4).toString('hex')}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'certs')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.96.0.0/24',
      `--service-account-issuer=https://127.0.0.1:${apiPort}`,
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--disable-admission-plugins=ServiceAccount',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=0',
      ...(gates.length > 0 ? [`--feature-gates=${gates.join(',')}`] : []),
      ...(options.clusterTrustBundles === false
        ? []
        : ['--runtime-config=certificates.k8s.io/v1beta1/clustertrustbundles=true']),
    ];
    apiserver = startProcess('kube-apiserver', join(bin, 'kube-apiserver'), apiArgs);
    const server = `https://127.0.0.1:${apiPort}`;
    const certFile = join(dir, 'certs', 'apiserver.crt');
    const startTimeoutMs = options.startTimeoutMs ?? 120_000;
    let deadline = Date.now() + startTimeoutMs;
    let ca: string | undefined;
    const waitReady = async (): Promise<void> => {
      let lastError = '';
      for (;;) {
        const api = apiserver as Proc;
        const db = etcd as Proc;
        if (api.child.exitCode !== null || db.child.exitCode !== null) {
          throw new Error(
            `kube-apiserver or etcd exited:\n--- etcd\n${tail(db)}\n--- kube-apiserver\n${tail(api)}`,
          );
        }
        if (Date.now() > deadline) {
          throw new Error(
            `kube-apiserver not ready after ${startTimeoutMs} ms (${lastError}):\n${tail(api)}`,
          );
        }
        try {
          if (!ca && existsSync(certFile)) ca = await readFile(certFile, 'utf8');
          if (ca) {
            const ready = await kubeRequest({ server, token, ca }, 'GET', '/readyz');
            if (ready.status === 200) return;
            lastError = `readyz ${ready.status}: ${ready.text}`;
          }
        } catch (error) {
          lastError = error instanceof Error ? error.message : String(error);
        }
        await sleep(250);
      }
    };
    await waitReady();
    if (!ca) throw new Error('no serving certificate');
    const connection = { server, token, ca };
    const request: KubeRequest = (method, path, body, headers) =>
      kubeRequest(connection, method, path, body, headers);
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: egts-test',
      '  cluster:',
      `    server: ${server}`,
      `    certificate-authority-data: ${Buffer.from(ca).toString('base64')}`,
      'users:',
      '- name: egts-test-admin',
      '  user:',
      `    token: ${token}`,
      'contexts:',
      '- name: egts-test',
      '  context: { cluster: egts-test, user: egts-test-admin }',
      'current-context: egts-test',
      '',
    ].join('\n');
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig);

    const apply = async (objects: readonly Record<string, unknown>[]): Promise<void> => {
      for (const object of objects) {
        const apiVersion = String(object.apiVersion);
        const kind = String(object.kind);
        const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
        const namespace = clusterScoped.has(kind) ? undefined : (metadata.namespace ?? 'default');
        const collection = collectionPath(apiVersion, pluralOf(kind), namespace);
        const created = await request('POST', collection, object);
        if (created.status === 409) {
          const path = `${collection}/${metadata.name}`;
          const current = await request('GET', path);
          const rv = (current.json as { metadata?: { resourceVersion?: string } }).metadata
            ?.resourceVersion;
          const body = { ...object, metadata: { ...metadata, resourceVersion: rv } };
          const replaced = await request('PUT', path, body);
          if (replaced.status >= 300) {
            throw new Error(`PUT ${path}: ${replaced.status} ${replaced.text}`);
          }
        } else if (created.status >= 300) {
          throw new Error(
            `POST ${collection} ${kind} ${metadata.name}: ${created.status} ${created.text}`,
          );
        }
      }
    };

    // CRDs, then wait until each is Established (its REST endpoints are served).
    const crds = (
      await readYamlObjects(await crdFiles(options.crdPaths ?? sharedCrdDirs()))
    ).filter((o) => o.kind === 'CustomResourceDefinition');
    await apply(crds);
    for (const crd of crds) {
      const name = (crd.metadata as { name: string }).name;
      const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`;
      for (;;) {
        const got = await request('GET', path);
        const conditions =
          (got.json as { status?: { conditions?: { type: string; status: string }[] } }).status
            ?.conditions ?? [];
        if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
        if (Date.now() > deadline) throw new Error(`CRD ${name} not Established in time`);
        await sleep(100);
      }
    }
    const restartApiServer = async (): Promise<void> => {
      const old = apiserver as Proc;
      old.child.kill('SIGKILL');
      await old.exited;
      apiserver = startProcess('kube-apiserver', join(bin, 'kube-apiserver'), apiArgs);
      deadline = Date.now() + startTimeoutMs;
      await waitReady();
    };
    return { server, token, kubeconfigPath, kubeconfig, request, apply, restartApiServer, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
