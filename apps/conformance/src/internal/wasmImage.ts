// The Wasm image of Envoy Gateway's WasmOCIImageCodeSource test (testdata/wasm/Dockerfile:
// `FROM scratch`, `COPY plugin.wasm ./`) as `docker build` makes it: a Docker v2 manifest with
// one tar.gz layer holding plugin.wasm; and its push over the OCI distribution API (monolithic
// blob uploads, then the manifest by tag), as the test's go-containerregistry push does.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export interface WasmImage {
  readonly blobs: readonly Buffer[];
  readonly manifest: Buffer;
  /** The manifest's sha256, hex: what the policy's `image.sha256` names. */
  readonly digest: string;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const tarOf = async (name: string, content: Buffer): Promise<Buffer> => {
  const archive = pack();
  archive.entry({ name, size: content.length, mtime: new Date(0), mode: 0o644 }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export const buildWasmImage = async (wasm: Buffer): Promise<WasmImage> => {
  const tar = await tarOf('plugin.wasm', wasm);
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { 'org.opencontainers.image.title': 'test-wasm' } },
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(tar)}`] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: `sha256:${sha256(config)}`,
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: layer.length,
          digest: `sha256:${sha256(layer)}`,
        },
      ],
    }),
  );
  return { blobs: [config, layer], manifest, digest: sha256(manifest) };
};

/** Pushes `image` as `<repository>:<tag>` to the registry at `base` (http://host:port). */
export const pushImage = async (
  base: string,
  repository: string,
  tag: string,
  image: WasmImage,
  credentials: { username: string; password: string },
): Promise<void> => {
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const check = async (response: Response, what: string) => {
    if (!response.ok)
      throw new Error(`pushing ${what}: ${response.status} ${await response.text()}`);
    return response;
  };
  for (const blob of image.blobs) {
    const started = await check(
      await fetch(`${base}/v2/${repository}/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization },
      }),
      'a blob',
    );
    const location = new URL(started.headers.get('location') ?? '', base);
    location.searchParams.set('digest', `sha256:${sha256(blob)}`);
    await check(
      await fetch(location, {
        method: 'PUT',
        headers: { authorization, 'content-type': 'application/octet-stream' },
        body: blob,
      }),
      'a blob',
    );
  }
  await check(
    await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      headers: {
        authorization,
        'content-type': 'application/vnd.docker.distribution.manifest.v2+json',
      },
      body: image.manifest,
    }),
    'the manifest',
  );
};
