// What the kubelet does for a Secret or ConfigMap volume, for tests without a kubelet: keeps a
// directory in step with the object, and updates it as the kubelet's AtomicWriter does (every key
// written into a new timestamped directory, then the `..data` symlink swapped in one rename; each
// `<key>` is a symlink through `..data`). Programs that watch mounted files must cope with exactly
// this, so tests should see it, not files rewritten in place.
import { mkdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeRequest } from './kubeRequest.js';

export interface VolumeProjectionOptions {
  readonly request: KubeRequest;
  readonly kind: 'Secret' | 'ConfigMap';
  readonly namespace: string;
  readonly name: string;
  /** The mount point. */
  readonly dir: string;
  /** How often the object is read (the kubelet's sync period, shortened); default 500 ms. */
  readonly intervalMs?: number;
  /** Applied to each file's text before it is written, e.g. to move absolute paths under a test root. */
  readonly rewrite?: (text: string) => string;
}

export interface VolumeProjection {
  /** Resolves once the directory holds the object's first version. */
  readonly ready: Promise<void>;
  /** How many versions were written. */
  updates(): number;
  stop(): Promise<void>;
}

const entriesOf = (kind: string, object: Record<string, unknown>): Array<[string, Buffer]> => {
  const out: Array<[string, Buffer]> = [];
  const data = (object.data ?? {}) as Record<string, string>;
  for (const [key, value] of Object.entries(data)) {
    out.push([key, kind === 'Secret' ? Buffer.from(value, 'base64') : Buffer.from(value)]);
  }
  for (const [key, value] of Object.entries((object.binaryData ?? {}) as Record<string, string>)) {
    out.push([key, Buffer.from(value, 'base64')]);
  }
  return out;
};

export const startVolumeProjection = (options: VolumeProjectionOptions): VolumeProjection => {
  const plural = options.kind === 'Secret' ? 'secrets' : 'configmaps';
  const path = `/api/v1/namespaces/${options.namespace}/${plural}/${options.name}`;
  let version: string | undefined;
  let count = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const project = async (object: Record<string, unknown>): Promise<void> => {
    await mkdir(options.dir, { recursive: true });
    const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${count}`;
    const target = join(options.dir, stamp);
    await mkdir(target);
    const entries = entriesOf(options.kind, object);
    for (const [key, value] of entries) {
      const text = options.rewrite ? Buffer.from(options.rewrite(value.toString('utf8'))) : value;
      await writeFile(join(target, key), text, { mode: 0o600 });
    }
    const previous = await readlink(join(options.dir, '..data')).catch(() => undefined);
    await rm(join(options.dir, '..data_tmp'), { force: true });
    await symlink(stamp, join(options.dir, '..data_tmp'));
    await rename(join(options.dir, '..data_tmp'), join(options.dir, '..data'));
    for (const [key] of entries) {
      await symlink(join('..data', key), join(options.dir, key)).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
    }
    if (previous) await rm(join(options.dir, previous), { recursive: true, force: true });
    count += 1;
  };

  const poll = async (): Promise<void> => {
    try {
      const res = await options.request('GET', path);
      const object = res.json as { metadata?: { resourceVersion?: string } } | undefined;
      const current = object?.metadata?.resourceVersion;
      if (res.status === 200 && current !== undefined && current !== version && !stopped) {
        await project(object as Record<string, unknown>);
        version = current;
        markReady();
      }
    } catch {
      // The API server restarting, or the object not there yet: try again.
    }
    if (!stopped) {
      timer = setTimeout(() => {
        polling = poll();
      }, options.intervalMs ?? 500);
    }
  };
  let polling = poll();
  return {
    ready,
    updates: () => count,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await polling;
    },
  };
};
