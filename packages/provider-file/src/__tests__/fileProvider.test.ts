// Tests of the file provider against real files in a temp directory: initial load, edits, bursts,
// broken files, deletes, new files, atomic saves, and DNS EndpointSlices.
import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileProvider, type FileProvider, type FileSnapshot } from '../index.js';
import { FileStates } from '../internal/fileStates.js';
import { fileVersion } from '../internal/fileVersion.js';

const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
`;

const route = (name: string, hostname: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  hostnames: [${hostname}]
  rules: [{ backendRefs: [{ name: backend, port: 3000 }] }]
`;

/** Collects a provider's snapshots; `next()` waits for one more than seen so far. */
class Recorder {
  readonly snapshots: FileSnapshot[] = [];
  readonly #subscription: Subscription;
  constructor(provider: FileProvider) {
    this.#subscription = provider.resources$.subscribe((s) => this.snapshots.push(s));
  }
  async next(timeoutMs = 30_000): Promise<FileSnapshot> {
    const count = this.snapshots.length;
    return this.waitFor(count + 1, timeoutMs);
  }
  async waitFor(count: number, timeoutMs = 30_000): Promise<FileSnapshot> {
    const deadline = Date.now() + timeoutMs;
    while (this.snapshots.length < count) {
      if (Date.now() > deadline) throw new Error(`no snapshot #${count} in ${timeoutMs} ms`);
      await sleep(10);
    }
    return this.snapshots[count - 1]!;
  }
  get latest(): FileSnapshot {
    return this.snapshots.at(-1)!;
  }
  unsubscribe(): void {
    this.#subscription.unsubscribe();
  }
}

const hostnames = (snapshot: FileSnapshot): Record<string, string[]> =>
  Object.fromEntries(
    snapshot.resources.httpRoutes.map((r) => [
      r.metadata.name,
      (r.spec.hostnames ?? []) as string[],
    ]),
  );
const errors = (snapshot: FileSnapshot) => snapshot.problems.filter((p) => p.severity === 'error');

const eventually = async (fn: () => boolean, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await sleep(10);
  }
};

describe('createFileProvider', () => {
  let dir: string;
  let provider: FileProvider | undefined;
  let recorder: Recorder | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'egts-provider-file-'));
  });
  afterEach(async () => {
    recorder?.unsubscribe();
    await provider?.close();
    provider = undefined;
    recorder = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (
    paths = [dir],
    debounceMs = 50,
    resyncMs?: number,
  ): Promise<FileSnapshot> => {
    provider = createFileProvider({
      paths,
      debounceMs,
      ...(resyncMs === undefined ? {} : { resyncMs }),
    });
    recorder = new Recorder(provider);
    return recorder.next();
  };

  it('loads every YAML file under a directory, recursively, once', async () => {
    writeFileSync(join(dir, 'gateway.yaml'), gateway);
    mkdirSync(join(dir, 'routes'));
    writeFileSync(join(dir, 'routes', 'a.yml'), route('a', 'a.example.com'));
    writeFileSync(join(dir, 'notes.txt'), 'not a resource file');
    const snapshot = await start();
    expect(snapshot.resources.gateways.map((g) => g.metadata.name)).toEqual(['eg']);
    expect(hostnames(snapshot)).toEqual({ a: ['a.example.com'] });
    expect(snapshot.problems).toEqual([]);
    await sleep(300);
    expect(recorder!.snapshots).toHaveLength(1);
  });

  it('emits a new snapshot on an edit, and none when the content is the same', async () => {
    writeFileSync(join(dir, 'gateway.yaml'), gateway);
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a.example.com'));
    await start();
    writeFileSync(join(dir, 'a.yaml'), route('a', 'changed.example.com'));
    expect(hostnames(await recorder!.next())).toEqual({ a: ['changed.example.com'] });
    // Same resources, different text (a comment): no snapshot.
    writeFileSync(join(dir, 'a.yaml'), `# a comment\n${route('a', 'changed.example.com')}`);
    await sleep(400);
    expect(recorder!.snapshots).toHaveLength(2);
  });

  it('reads a large file in chunks and many files side by side: same resources, problems and lines', async () => {
    // 1,500 routes (about 260 KiB: several 64 KiB chunks), every 500th with a bad hostname, and
    // 40 small files after it: the snapshot is in file order, each problem on its document's line.
    const big = Array.from({ length: 1500 }, (_, i) =>
      route(`r${i}`, i % 500 === 499 ? 'Bad_Host' : `r${i}.example.com`),
    ).join('---\n');
    writeFileSync(join(dir, 'big.yaml'), big);
    for (let i = 0; i < 40; i++)
      writeFileSync(
        join(dir, `small-${String(i).padStart(2, '0')}.yaml`),
        route(`s${i}`, 's.example.com'),
      );
    const snapshot = await start();
    const names = snapshot.resources.httpRoutes.map((r) => r.metadata.name);
    expect(names).toEqual([
      ...Array.from({ length: 1500 }, (_, i) => `r${i}`).filter((_, i) => i % 500 !== 499),
      ...Array.from({ length: 40 }, (_, i) => `s${i}`),
    ]);
    const lines = route('x', 'x').split('\n').length; // a route's lines and its marker's
    expect(errors(snapshot).map((p) => [p.document, p.line, p.name])).toEqual(
      [499, 999, 1499].map((i) => [i + 1, i * lines + 6, `r${i}`]), // line 6: hostnames
    );
  });

  it('sees a settled file rewritten with the same size and its old modification time', async () => {
    // Unchanged files are not read again (their settled version: inode, size, mtime, ctime);
    // `cp -p` or `rsync -t` keep size and mtime, but not ctime.
    const file = join(dir, 'a.yaml');
    writeFileSync(join(dir, 'gateway.yaml'), gateway);
    writeFileSync(file, route('a', 'a.example.com'));
    await sleep(2_200);
    await start();
    const { mtime } = statSync(file);
    writeFileSync(file, route('a', 'b.example.com'));
    utimesSync(file, mtime, mtime);
    await eventually(() => hostnames(recorder!.latest).a?.[0] === 'b.example.com');
  });

  it('sees the second of two quick edits, which chokidar does not report, before any resync', async () => {
    writeFileSync(join(dir, 'a.yaml'), route('a', 'v0.example.com'));
    await start([dir], 5);
    writeFileSync(join(dir, 'a.yaml'), route('a', 'v1.example.com'));
    expect(hostnames(await recorder!.next())).toEqual({ a: ['v1.example.com'] });
    // Within 50 ms of the first edit's event (on a quiet machine): its 'change' is throttled.
    writeFileSync(join(dir, 'a.yaml'), route('a', 'v2.example.com'));
    expect(hostnames(await recorder!.next(10_000))).toEqual({ a: ['v2.example.com'] });
  });

  it('turns a burst of writes into one snapshot of the final content', async () => {
    writeFileSync(join(dir, 'a.yaml'), route('a', 'v0.example.com'));
    await start([dir], 250);
    for (let i = 1; i <= 10; i++) {
      writeFileSync(join(dir, 'a.yaml'), route('a', `v${i}.example.com`));
      await sleep(15);
    }
    expect(hostnames(await recorder!.next())).toEqual({ a: ['v10.example.com'] });
    await sleep(500);
    expect(recorder!.snapshots).toHaveLength(2);
  });

  it('keeps the last good content of a broken file, reports the problem, and applies other files', async () => {
    writeFileSync(join(dir, 'gateway.yaml'), gateway);
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a.example.com'));
    writeFileSync(join(dir, 'b.yaml'), route('b', 'b.example.com'));
    const good = await start();

    // Bad YAML in a.yaml: a's route stays as it was.
    writeFileSync(join(dir, 'a.yaml'), `${route('a', 'new.example.com')}  bad: [unclosed\n`);
    const broken = await recorder!.next();
    expect(broken.resources).toEqual(good.resources);
    expect(errors(broken)).toEqual([
      expect.objectContaining({
        file: join(dir, 'a.yaml'),
        document: 1,
        message: expect.stringContaining('invalid YAML'),
      }),
    ]);

    // A rejected resource (a field of the wrong type) in the second document: same, named by field.
    writeFileSync(
      join(dir, 'a.yaml'),
      `${route('a', 'new.example.com')}---\n${route('a2', 'x.example.com').replace('parentRefs: [{ name: eg }]', 'parentRefs: eg')}`,
    );
    const rejected = await recorder!.next();
    expect(rejected.resources).toEqual(good.resources);
    expect(errors(rejected)).toEqual([
      expect.objectContaining({
        file: join(dir, 'a.yaml'),
        document: 2,
        kind: 'HTTPRoute',
        name: 'a2',
        path: ['spec', 'parentRefs'],
      }),
    ]);

    // Another file still changes while a.yaml is broken.
    writeFileSync(join(dir, 'b.yaml'), route('b', 'b2.example.com'));
    const other = await recorder!.next();
    expect(hostnames(other)).toEqual({ a: ['a.example.com'], b: ['b2.example.com'] });
    expect(errors(other)).toHaveLength(1);

    // Fixed: the new content applies and the problem goes.
    writeFileSync(join(dir, 'a.yaml'), route('a', 'fixed.example.com'));
    const fixed = await recorder!.next();
    expect(hostnames(fixed)).toEqual({ a: ['fixed.example.com'], b: ['b2.example.com'] });
    expect(fixed.problems).toEqual([]);
  });

  it('applies an edit with a misspelt field, without the field, and reports it', async () => {
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a.example.com'));
    await start();
    writeFileSync(
      join(dir, 'a.yaml'),
      route('a', 'new.example.com').replace('  hostnames:', '  hostname: [x]\n  hostnames:'),
    );
    const edited = await recorder!.next();
    // Not a broken file: the edit applies, as the API server would store it (pruned).
    expect(hostnames(edited)).toEqual({ a: ['new.example.com'] });
    expect(edited.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: join(dir, 'a.yaml'),
        name: 'a',
        message: 'unknown field "spec.hostname"',
        pruned: true,
      }),
    ]);
  });

  it('takes what did decode from a file broken from the start', async () => {
    writeFileSync(join(dir, 'a.yaml'), `${route('a', 'a.example.com')}---\nkind: [\n`);
    const snapshot = await start();
    expect(hostnames(snapshot)).toEqual({ a: ['a.example.com'] });
    expect(errors(snapshot)).toEqual([
      expect.objectContaining({ file: join(dir, 'a.yaml'), document: 2 }),
    ]);
  });

  it('drops the resources of a deleted file', async () => {
    writeFileSync(join(dir, 'gateway.yaml'), gateway);
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a.example.com'));
    await start();
    unlinkSync(join(dir, 'a.yaml'));
    const snapshot = await recorder!.next();
    expect(snapshot.resources.httpRoutes).toEqual([]);
    expect(snapshot.resources.gateways).toHaveLength(1);
  });

  it('picks up a new file, and a new file in a new subdirectory', async () => {
    writeFileSync(join(dir, 'gateway.yaml'), gateway);
    await start();
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a.example.com'));
    expect(hostnames(await recorder!.next())).toEqual({ a: ['a.example.com'] });
    mkdirSync(join(dir, 'more', 'deeper'), { recursive: true });
    writeFileSync(
      join(dir, 'more', 'deeper', 'b.json'),
      JSON.stringify({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'b', namespace: 'default' },
        spec: { hostnames: ['b.example.com'] },
      }),
    );
    await recorder!.waitFor(3);
    await sleep(200);
    expect(hostnames(recorder!.latest)).toEqual({ a: ['a.example.com'], b: ['b.example.com'] });
  });

  it.each([
    ['a watched directory', false],
    ['a watched file', true],
  ])('handles atomic saves (temp file + rename) in %s', async (_name, watchFile) => {
    const file = join(dir, 'a.yaml');
    writeFileSync(file, route('a', 'a.example.com'));
    await start(watchFile ? [file] : [dir]);
    for (const version of ['v1', 'v2']) {
      const temp = join(dir, `.a.yaml.${version}.tmp`);
      writeFileSync(temp, route('a', `${version}.example.com`));
      renameSync(temp, file);
      await recorder!.next();
      await sleep(200);
      expect(hostnames(recorder!.latest)).toEqual({ a: [`${version}.example.com`] });
    }
  });

  it('sees a watched file deleted and created again, and a watched directory that appears later', async () => {
    const file = join(dir, 'a.yaml');
    const later = join(dir, 'later');
    writeFileSync(file, route('a', 'a.example.com'));
    writeFileSync(join(dir, 'sibling.yaml'), route('sibling', 'not.watched'));
    // No periodic resync: only the watches can see these.
    const first = await start([file, later], 50, 0);
    expect(hostnames(first)).toEqual({ a: ['a.example.com'] });
    expect(errors(first)).toEqual([expect.objectContaining({ file: later })]);

    unlinkSync(file);
    expect(hostnames(await recorder!.next())).toEqual({});
    writeFileSync(file, route('a', 'again.example.com'));
    expect(hostnames(await recorder!.next())).toEqual({ a: ['again.example.com'] });
    writeFileSync(file, route('a', 'edited.example.com'));
    expect(hostnames(await recorder!.next())).toEqual({ a: ['edited.example.com'] });

    mkdirSync(later);
    writeFileSync(join(later, 'b.yaml'), route('b', 'b.example.com'));
    await eventually(() => hostnames(recorder!.latest).b !== undefined);
    expect(hostnames(recorder!.latest)).toEqual({
      a: ['edited.example.com'],
      b: ['b.example.com'],
    });
    expect(recorder!.latest.problems).toEqual([]);
  });

  it('re-scans periodically without watch events (resyncMs)', async () => {
    provider = createFileProvider({
      paths: [join(dir, 'nested', 'missing', 'a.yaml')],
      resyncMs: 100,
    });
    recorder = new Recorder(provider);
    expect(errors(await recorder.next())).toHaveLength(1);
    // The parent of the watched path does not exist, so no watch covers it: only a resync sees it.
    mkdirSync(join(dir, 'nested', 'missing'), { recursive: true });
    writeFileSync(join(dir, 'nested', 'missing', 'a.yaml'), route('a', 'a.example.com'));
    expect(hostnames(await recorder.next())).toEqual({ a: ['a.example.com'] });
  });

  it('replays the latest snapshot to a late subscriber', async () => {
    writeFileSync(join(dir, 'a.yaml'), route('a', 'a.example.com'));
    await start();
    writeFileSync(join(dir, 'a.yaml'), route('a', 'b.example.com'));
    await recorder!.next();
    const late: FileSnapshot[] = [];
    const subscription = provider!.resources$.subscribe((s) => late.push(s));
    subscription.unsubscribe();
    expect(late.map(hostnames)).toEqual([{ a: ['b.example.com'] }]);
  });

  it('reports a path that does not exist, and completes on close', async () => {
    const snapshot = await start([join(dir, 'missing')]);
    expect(errors(snapshot)).toEqual([
      expect.objectContaining({
        file: join(dir, 'missing'),
        message: expect.stringContaining('cannot read'),
      }),
    ]);
    let completed = false;
    provider!.resources$.subscribe({ complete: () => (completed = true) });
    await provider!.close();
    expect(completed).toBe(true);
  });
});

describe('file versions', () => {
  it('count as unchanged only when settled and equal, and never after a failed read', async () => {
    const states = new FileStates({ lenient: false });
    let reads = 0;
    const content = () => {
      reads++;
      return (async function* () {
        yield Buffer.from(route('a', 'a.example.com'));
      })();
    };
    await states.read('a.yaml', content, { key: 'v1', settled: true });
    expect(reads).toBe(1);
    expect(states.holds('a.yaml', { key: 'v1', settled: true })).toBe(true);
    expect(states.holds('a.yaml', { key: 'v1', settled: false })).toBe(false);
    expect(states.holds('a.yaml', { key: 'v2', settled: true })).toBe(false);
    // Read while still changing: that version proves nothing later.
    await states.read('a.yaml', content, { key: 'v2', settled: false });
    expect(states.holds('a.yaml', { key: 'v2', settled: true })).toBe(false);
    states.unreadable('a.yaml', 'permission denied');
    expect(states.holds('a.yaml', { key: 'v1', settled: true })).toBe(false);
  });

  it('settle once the clock has left the granule of the last change, and change with the content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egts-file-version-'));
    try {
      const file = join(dir, 'a.yaml');
      writeFileSync(file, 'a');
      const fresh = await fileVersion(file, 5_000);
      expect(fresh.settled).toBe(false);
      // A file system with sub-second stamps settles within the slack (50 ms); one that keeps
      // whole seconds needs two.
      const { ctimeNs } = statSync(file, { bigint: true });
      await sleep(ctimeNs % 1_000_000_000n === 0n ? 2_200 : 150);
      const settled = await fileVersion(file, 5_000);
      expect(settled).toEqual({ key: fresh.key, settled: true });
      writeFileSync(file, 'b');
      expect((await fileVersion(file, 5_000)).key).not.toBe(fresh.key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
