// A local stand-in for the `registry:2` of Envoy Gateway's WasmOCIImageCodeSource test: the OCI
// distribution API (https://github.com/opencontainers/distribution-spec/blob/main/spec.md) in
// memory, enough to push an image (monolithic blob uploads, manifests) and pull it (manifests by
// tag or digest, blobs), behind the htpasswd Basic authentication its Deployment configures
// (REGISTRY_AUTH=htpasswd, the file from the mounted ConfigMap; bcrypt as registry:2 requires).
// Errors are answered as registry:2 does: `{"errors":[{"code","message"}]}`.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import bcrypt from 'bcryptjs';
import type { KubeObject } from './cluster.js';
import type { EchoServer } from './echoServer.js';
import { listenLocally } from './listenLocally.js';

interface RegistryPod {
  containers?: { env?: { name: string; value?: string }[] }[];
  volumes?: { name: string; configMap?: { name?: string } }[];
}

/** The `user:bcrypt` lines of the htpasswd file the Deployment mounts, when it asks for auth. */
const htpasswdUsers = (
  deployment: KubeObject,
  namespace: string,
  get: (kind: string, namespace: string, name: string) => KubeObject | undefined,
): Map<string, string> | undefined => {
  const pod = ((deployment.spec?.template ?? {}) as { spec?: RegistryPod }).spec ?? {};
  const env = new Map((pod.containers?.[0]?.env ?? []).map((e) => [e.name, e.value ?? '']));
  if (env.get('REGISTRY_AUTH') !== 'htpasswd') return undefined;
  const users = new Map<string, string>();
  for (const volume of pod.volumes ?? []) {
    const name = volume.configMap?.name;
    const data = name ? (get('ConfigMap', namespace, name)?.data as Record<string, string>) : {};
    for (const text of Object.values(data ?? {}))
      for (const line of text.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) users.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
  }
  return users;
};

const body = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const fail = (res: ServerResponse, status: number, code: string, message: string) =>
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ errors: [{ code, message, detail: null }] }));

export const startOciRegistry = async (
  namespace: string,
  pod: string,
  deployment: KubeObject,
  get: (kind: string, namespace: string, name: string) => KubeObject | undefined,
): Promise<EchoServer> => {
  const users = htpasswdUsers(deployment, namespace, get);
  const blobs = new Map<string, Buffer>();
  /** `<repository>@<tag or digest>` -> manifest and its media type. */
  const manifests = new Map<string, { bytes: Buffer; type: string }>();

  const authorized = (req: IncomingMessage): boolean => {
    if (!users) return true;
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString();
    const colon = decoded.indexOf(':');
    const hash = users.get(decoded.slice(0, colon));
    return hash !== undefined && bcrypt.compareSync(decoded.slice(colon + 1), hash);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    if (!authorized(req)) {
      res.setHeader('www-authenticate', 'Basic realm="Registry Realm"');
      fail(res, 401, 'UNAUTHORIZED', 'authentication required');
      return;
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const match = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
    const upload = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname);
    if (upload && req.method === 'POST') {
      res.writeHead(202, { location: `/v2/${upload[1]}/blobs/uploads/${randomUUID()}` }).end();
    } else if (upload && req.method === 'PUT') {
      const bytes = await body(req);
      const digest = url.searchParams.get('digest');
      if (digest !== digestOf(bytes)) {
        fail(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
        return;
      }
      blobs.set(digest, bytes);
      res.writeHead(201, { location: `/v2/${upload[1]}/blobs/${digest}` }).end();
    } else if (match?.[2] === 'manifests' && req.method === 'PUT') {
      const bytes = await body(req);
      const entry = { bytes, type: req.headers['content-type'] ?? '' };
      manifests.set(`${match[1]}@${match[3]}`, entry);
      manifests.set(`${match[1]}@${digestOf(bytes)}`, entry);
      res.writeHead(201, { 'docker-content-digest': digestOf(bytes) }).end();
    } else if (match?.[2] === 'manifests' && (req.method === 'GET' || req.method === 'HEAD')) {
      const entry = manifests.get(`${match[1]}@${match[3]}`);
      if (!entry) {
        fail(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
        return;
      }
      res.writeHead(200, {
        'content-type': entry.type,
        'docker-content-digest': digestOf(entry.bytes),
      });
      res.end(req.method === 'HEAD' ? undefined : entry.bytes);
    } else if (match?.[2] === 'blobs' && (req.method === 'GET' || req.method === 'HEAD')) {
      const bytes = blobs.get(match[3]!);
      if (!bytes) {
        fail(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    } else {
      fail(res, 404, 'UNSUPPORTED', 'The operation is unsupported.');
    }
  };
  const server = createServer((req, res) => {
    serve(req, res).catch(() => fail(res, 500, 'UNKNOWN', 'unknown error'));
  });
  return { namespace, pod, ...(await listenLocally(server)) };
};
