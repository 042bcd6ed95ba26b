// Pulls a Wasm module from an OCI image, as Envoy Gateway's Wasm cache does (the "Wasm Image
// Specification", https://github.com/solo-io/wasm/blob/master/spec/): a Docker or OCI image whose
// last layer is a tar.gz holding `plugin.wasm`, or an OCI artifact with a raw Wasm layer
// (application/vnd.module.wasm.content.layer.v1+wasm). Speaks the OCI distribution API
// (https://github.com/opencontainers/distribution-spec/blob/main/spec.md): manifests, blobs,
// Basic and Bearer token authentication with the credentials of a Docker config (pull secret).
// The manifest is checked on every pull (so a missing or wrong pull secret fails even when the
// module is cached); the layers are fetched only when asked for.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';

/** An HTTP GET the pull is made with; `ca` verifies an HTTPS registry. */
export type RegistryFetch = (
  url: string,
  init: { signal: AbortSignal; ca?: string | undefined; headers?: Record<string, string> },
) => Promise<Response>;

export interface PulledImage {
  /** The image manifest's digest, hex (what `image.sha256` names). */
  readonly digest: string;
  /** Fetches the layers and returns the Wasm module. */
  module(): Promise<Buffer>;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
const WASM_LAYER = 'application/vnd.module.wasm.content.layer.v1+wasm';
const TAR_GZIP_LAYERS = new Set([
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.oci.image.layer.v1.tar+gzip',
]);
const MAX_MODULE_BYTES = 256 * 1024 * 1024;

interface Reference {
  /** Registry host[:port] as written (docker.io for Docker Hub). */
  registry: string;
  repository: string;
  /** A tag or a `sha256:` digest. */
  reference: string;
}

/** `[registry/]repository[:tag|@digest]`, Docker's reference grammar (`oci://` allowed). */
export function parseReference(url: string): Reference {
  const text = url.replace(/^oci:\/\//, '');
  const at = text.indexOf('@');
  let name = at >= 0 ? text.slice(0, at) : text;
  let reference = at >= 0 ? text.slice(at + 1) : 'latest';
  if (at < 0) {
    const colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      reference = name.slice(colon + 1);
      name = name.slice(0, colon);
    }
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const isRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = isRegistry ? first : 'docker.io';
  let repository = isRegistry ? name.slice(slash + 1) : name;
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!repository || !reference) throw new Error(`${url} is not an image reference`);
  return { registry, repository, reference };
}

/** The user and password a Docker config JSON holds for `registry`, if any. */
export function registryCredentials(
  dockerConfig: string,
  registry: string,
): { username: string; password: string } | undefined {
  let auths: Record<string, { auth?: string; username?: string; password?: string }>;
  try {
    const parsed = JSON.parse(dockerConfig) as { auths?: typeof auths };
    auths = parsed.auths ?? (parsed as typeof auths);
  } catch {
    throw new Error('the pull secret is not a Docker config (JSON)');
  }
  const wanted =
    registry === 'docker.io' ? ['https://index.docker.io/v1/', 'docker.io'] : [registry];
  const key = Object.keys(auths).find((k) =>
    wanted.includes(k.replace(/^https?:\/\//, '').replace(/\/.*$/, '')),
  );
  const entry = key === undefined ? undefined : auths[key];
  if (!entry) return undefined;
  if (entry.username !== undefined && entry.password !== undefined)
    return { username: entry.username, password: entry.password };
  if (entry.auth === undefined) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString();
  const colon = decoded.indexOf(':');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `key="value"` pairs of a WWW-Authenticate challenge, and its scheme. */
const challenge = (header: string): { scheme: string; params: Record<string, string> } => {
  const space = header.indexOf(' ');
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme: header.slice(0, space).toLowerCase(), params };
};

/** A registry's error answer as the distribution spec writes it: `CODE: message`. */
const registryError = async (response: Response): Promise<string> => {
  const text = await response.text().catch(() => '');
  try {
    const { errors } = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = errors?.[0];
    if (first?.code) return `${first.code}: ${first.message ?? ''}`.trim();
  } catch {}
  return `answered ${response.status}`;
};

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A TLS handshake with a plain-HTTP server (the registry then serves HTTP only). */
const plainHttpServer = (error: unknown): boolean =>
  /wrong version number|packet length too long|EPROTO|http response/i.test(
    `${(error as Error)?.message} ${(error as { code?: string })?.code ?? ''} ${String((error as { cause?: unknown })?.cause)}`,
  );

/** One registry session: scheme, credentials and the token it was granted. */
class Registry {
  #scheme = 'https';
  #authorization: string | undefined;

  constructor(
    private readonly ref: Reference,
    private readonly fetch: RegistryFetch,
    private readonly credentials: { username: string; password: string } | undefined,
    private readonly ca: string | undefined,
    private readonly signal: AbortSignal,
  ) {}

  get #host(): string {
    return this.ref.registry === 'docker.io' ? 'registry-1.docker.io' : this.ref.registry;
  }

  async #send(url: string, headers: Record<string, string>): Promise<Response> {
    let target = url;
    // Blob stores may redirect (S3, a CDN): followed without the registry's credentials.
    for (let hop = 0; hop < 5; hop++) {
      const response = await this.fetch(target, { signal: this.signal, ca: this.ca, headers });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return response;
      target = new URL(location, target).toString();
      const { authorization: _dropped, ...rest } = headers;
      headers = rest;
    }
    throw new Error(`${url}: too many redirects`);
  }

  /** GETs `path` (under /v2/<repository>/), logging in when the registry asks. */
  async get(path: string, accept?: string): Promise<Response> {
    const headers = (): Record<string, string> => ({
      ...(accept ? { accept } : {}),
      ...(this.#authorization ? { authorization: this.#authorization } : {}),
    });
    const url = () => `${this.#scheme}://${this.#host}/v2/${this.ref.repository}/${path}`;
    let response: Response;
    try {
      response = await this.#send(url(), headers());
    } catch (error) {
      // Envoy Gateway (as Helm) retries over plain HTTP when the registry does not speak TLS.
      if (this.#scheme !== 'https' || !plainHttpServer(error)) throw error;
      this.#scheme = 'http';
      response = await this.#send(url(), headers());
    }
    if (response.status !== 401 || this.#authorization !== undefined) return response;
    const asked = response.headers.get('www-authenticate');
    if (!asked) return response;
    const login = await this.#login(challenge(asked));
    if (login === undefined) return response;
    this.#authorization = login;
    return this.#send(url(), headers());
  }

  /** The Authorization a challenge asks for, or undefined when there is nothing to offer. */
  async #login(asked: { scheme: string; params: Record<string, string> }) {
    const basic =
      this.credentials &&
      `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    if (asked.scheme === 'basic') return basic;
    if (asked.scheme !== 'bearer' || !asked.params.realm) return undefined;
    const realm = new URL(asked.params.realm);
    if (asked.params.service) realm.searchParams.set('service', asked.params.service);
    realm.searchParams.set('scope', `repository:${this.ref.repository}:pull`);
    const answer = await this.fetch(realm.toString(), {
      signal: this.signal,
      ca: this.ca,
      headers: basic ? { authorization: basic } : {},
    });
    if (!answer.ok) throw new Error(`the registry's token service: ${await registryError(answer)}`);
    const { token, access_token } = (await answer.json()) as {
      token?: string;
      access_token?: string;
    };
    const granted = token ?? access_token;
    return granted ? `Bearer ${granted}` : undefined;
  }
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { os?: string; architecture?: string };
}
interface Manifest {
  mediaType?: string;
  manifests?: Descriptor[];
  layers?: Descriptor[];
}

/** The file `plugin.wasm` in a tar.gz layer. */
async function pluginFromTarGzip(layer: Buffer): Promise<Buffer> {
  // Loaded here, not at import: only a Wasm module from an image needs it (#24).
  const { extract } = await import('tar-stream');
  const archive = extract();
  Readable.from([gunzipSync(layer, { maxOutputLength: MAX_MODULE_BYTES })]).pipe(archive);
  for await (const entry of archive) {
    const name = entry.header.name.split('/').pop();
    if (name === 'plugin.wasm') {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    }
    entry.resume();
  }
  throw new Error('plugin.wasm not found in the image layer');
}

/**
 * Checks `url`'s manifest against `expectedDigest` (hex, when given) with the pull secret's
 * credentials, and returns its digest and a way to fetch the module.
 */
export async function pullWasmImage(
  url: string,
  options: {
    fetch: RegistryFetch;
    expectedDigest?: string | undefined;
    pullSecret?: string | undefined;
    ca?: string | undefined;
    signal: AbortSignal;
  },
): Promise<PulledImage> {
  const ref = parseReference(url);
  const credentials =
    options.pullSecret === undefined
      ? undefined
      : registryCredentials(options.pullSecret, ref.registry);
  const registry = new Registry(ref, options.fetch, credentials, options.ca, options.signal);
  const manifestAt = async (reference: string): Promise<{ body: Buffer; manifest: Manifest }> => {
    const response = await registry.get(`manifests/${reference}`, MANIFEST_TYPES.join(', '));
    if (!response.ok)
      throw new Error(`could not fetch the manifest of ${url}: ${await registryError(response)}`);
    const body = Buffer.from(await response.arrayBuffer());
    return { body, manifest: JSON.parse(body.toString()) as Manifest };
  };
  let { body, manifest } = await manifestAt(ref.reference);
  // An index (multi-platform image): the linux/amd64 image, else the first, as Envoy Gateway.
  if (manifest.manifests) {
    const chosen =
      manifest.manifests.find(
        (m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64',
      ) ?? manifest.manifests[0];
    if (!chosen) throw new Error(`the image index of ${url} lists no image`);
    ({ body, manifest } = await manifestAt(chosen.digest));
  }
  const digest = sha256(body);
  if (options.expectedDigest !== undefined && digest !== options.expectedDigest)
    throw new Error(`the image ${url} has digest sha256:${digest}, not ${options.expectedDigest}`);
  const blob = async (layer: Descriptor): Promise<Buffer> => {
    const response = await registry.get(`blobs/${layer.digest}`);
    if (!response.ok)
      throw new Error(`could not fetch layer ${layer.digest}: ${await registryError(response)}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (`sha256:${sha256(bytes)}` !== layer.digest)
      throw new Error(`layer ${layer.digest} of ${url} does not match its digest`);
    return bytes;
  };
  return {
    digest,
    async module() {
      const layers = manifest.layers ?? [];
      const last = layers.at(-1);
      if (last?.mediaType && TAR_GZIP_LAYERS.has(last.mediaType))
        return pluginFromTarGzip(await blob(last));
      const raw = layers.find((l) => l.mediaType === WASM_LAYER);
      if (raw) return blob(raw);
      throw new Error(
        `${url} is not a Wasm image: no tar+gzip last layer with plugin.wasm, no ${WASM_LAYER} layer`,
      );
    },
  };
}
