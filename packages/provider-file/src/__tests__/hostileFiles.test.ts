// Files that are not plain files, or a file system that stops answering, in the watched
// directory: the provider reports them, keeps serving every other file and later edit, stops
// promptly, and says it is unhealthy while it is stuck (issue #16, item 5).
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileProvider, type FileProvider, type FileSnapshot } from '../index.js';

const route = (name: string, hostname: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  hostnames: [${hostname}]
  rules: [{ backendRefs: [{ name: backend, port: 3000 }] }]
`;

const eventually = async (fn: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await sleep(10);
  }
};

const hostnames = (snapshot: FileSnapshot | undefined) =>
  Object.fromEntries(
    (snapshot?.resources.httpRoutes ?? []).map((r) => [r.metadata.name, r.spec.hostnames ?? []]),
  );
const problem = (snapshot: FileSnapshot | undefined, file: string) =>
  snapshot?.problems.find((p) => p.file === file)?.message;

describe('hostile files in a watched directory', () => {
  let dir: string;
  let provider: FileProvider | undefined;
  let latest: FileSnapshot | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'egts-hostile-files-'));
  });
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
    latest = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (
    options: { maxFileBytes?: number; stuckAfterMs?: number; resyncMs?: number } = {},
  ) => {
    provider = createFileProvider({ paths: [dir], debounceMs: 20, ...options });
    provider.resources$.subscribe((s) => {
      latest = s;
    });
  };

  it('reports a FIFO, a symlink to one and an oversized file, and serves the rest', async () => {
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a.example.com'));
    writeFileSync(join(dir, 'real.yaml'), route('b', 'b.example.com'));
    symlinkSync(join(dir, 'real.yaml'), join(dir, 'link.yaml'));
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    symlinkSync(join(dir, 'fifo.yaml'), join(dir, 'fifo-link.yaml'));
    writeFileSync(join(dir, 'huge.yaml'), `# ${'x'.repeat(5000)}\n${route('h', 'h.example.com')}`);
    start({ maxFileBytes: 4096 });
    await eventually(() => latest !== undefined);
    expect(problem(latest, join(dir, 'fifo.yaml'))).toMatch(/a FIFO, not a regular file/);
    expect(problem(latest, join(dir, 'fifo-link.yaml'))).toMatch(/a FIFO, not a regular file/);
    expect(problem(latest, join(dir, 'huge.yaml'))).toMatch(/over the limit of 4096/);
    expect(hostnames(latest)).toMatchObject({ a: ['a.example.com'], b: ['b.example.com'] });
    expect(provider?.liveness()).toEqual({ healthy: true });

    // Later edits are served, with the FIFO still there and after it is gone.
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a2.example.com'));
    await eventually(() => hostnames(latest).a?.[0] === 'a2.example.com');
    rmSync(join(dir, 'fifo.yaml'));
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a3.example.com'));
    await eventually(() => hostnames(latest).a?.[0] === 'a3.example.com');

    const closing = performance.now();
    await provider?.close();
    expect(performance.now() - closing).toBeLessThan(5000);
  });

  it('is unhealthy while the file system does not answer, and catches up after', async () => {
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a.example.com'));
    // The watcher stats before it reports, so it waits too: the periodic resync starts the scan.
    start({ stuckAfterMs: 300, resyncMs: 200 });
    await eventually(() => latest !== undefined);
    // Blocking opens of FIFOs hold all four of libuv's file-system threads: every later
    // asynchronous file operation of this process waits, as on a hung network file system.
    const fifos = [0, 1, 2, 3].map((i) => join(dir, `.blocker-${i}`));
    for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
    const blocked = fifos.map((fifo) => open(fifo, 'r'));
    await sleep(50);
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a2.example.com'));
    await eventually(() => provider?.liveness().healthy === false);
    expect(provider?.liveness().message).toMatch(/a scan has run for \d+ ms/);

    // Writers arrive (synchronous opens use no pool thread): the opens return, the pool frees.
    const writers = fifos.map((fifo) => openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    for (const handle of await Promise.all(blocked)) await handle.close();
    for (const fd of writers) closeSync(fd);
    await eventually(() => hostnames(latest).a?.[0] === 'a2.example.com');
    expect(provider?.liveness()).toEqual({ healthy: true });
  });
});
