// When the file provider may skip reading a file it read before: its version (stamps, size,
// inode) is the same and no later write could have kept it (stampSettled), and what a re-read of
// the same bytes leaves behind.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FileStates } from '../internal/fileStates.js';
import { fileVersion, stampSettled } from '../internal/fileVersion.js';

const ms = (n: number): bigint => BigInt(n) * 1_000_000n;
/** Now, as a stamp of 1,800,000,000 s plus `fractionNs`. */
const at = (fractionNs: bigint): bigint => 1_800_000_000n * 1_000_000_000n + fractionNs;

describe('stampSettled', () => {
  it('settles a nanosecond stamp past the slack, not within it', () => {
    const stamp = at(123_456_789n);
    expect(stampSettled(stamp, stamp + ms(10))).toBe(false);
    expect(stampSettled(stamp, stamp + ms(49))).toBe(false);
    expect(stampSettled(stamp, stamp + ms(51))).toBe(true);
  });

  it('waits two seconds for a whole-second stamp (FAT, ext3, HFS+)', () => {
    const stamp = at(0n);
    expect(stampSettled(stamp, stamp + ms(1_500))).toBe(false);
    expect(stampSettled(stamp, stamp + ms(2_000))).toBe(false);
    expect(stampSettled(stamp, stamp + ms(2_051))).toBe(true);
  });

  it('waits out the coarsest granularity a sub-second stamp allows', () => {
    // x.37 s may come from exFAT's 10 ms: assume up to 100 ms.
    const centiseconds = at(370_000_000n);
    expect(stampSettled(centiseconds, centiseconds + ms(120))).toBe(false);
    expect(stampSettled(centiseconds, centiseconds + ms(151))).toBe(true);
    // x.5 s may come from a 500 ms granularity: assume up to a second.
    const half = at(500_000_000n);
    expect(stampSettled(half, half + ms(900))).toBe(false);
    expect(stampSettled(half, half + ms(1_051))).toBe(true);
  });

  it('never settles a stamp in the future (a clock ahead of this one)', () => {
    const stamp = at(123_456_789n);
    expect(stampSettled(stamp, stamp - ms(5_000))).toBe(false);
  });
});

const route = (hostname: string, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: a, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  hostnames: [${hostname}]${extra}
`;

/** A read of `text` that counts how often it is made. */
const source = (text: () => string) => {
  const reads = { count: 0 };
  const read = () => {
    reads.count++;
    return (async function* () {
      yield Buffer.from(text());
    })();
  };
  return { reads, read };
};

describe('reading by version', () => {
  it('reads a file changed within the granularity again, and skips it once read settled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egts-file-version-'));
    try {
      const file = join(dir, 'a.yaml');
      const states = new FileStates({ lenient: false });
      const { read } = source(() => route('a.example.com'));
      writeFileSync(file, route('a.example.com'));
      // Read right after the write: a write now could still carry the same stamps. (Written
      // again if the machine stalled past the settling time between the write and the stat.)
      let fresh = await fileVersion(file, 5_000);
      for (let attempt = 0; fresh.settled && attempt < 20; attempt++) {
        writeFileSync(file, route('a.example.com'));
        fresh = await fileVersion(file, 5_000);
      }
      expect(fresh.settled).toBe(false);
      await states.read(file, read, fresh);
      expect(states.holds(file, fresh)).toBe(false);
      await sleep(150);
      // The same stamps, settled now, but the read was not: read again.
      const later = await fileVersion(file, 5_000);
      expect(later).toEqual({ key: fresh.key, settled: true });
      expect(states.holds(file, later)).toBe(false);
      await states.read(file, read, later);
      expect(states.holds(file, later)).toBe(true);
      // Any write after that changes the version.
      writeFileSync(file, route('b.example.com'));
      expect(states.holds(file, await fileVersion(file, 5_000))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps content and problems, object for object, when a re-read gives the same bytes', async () => {
    const states = new FileStates({ lenient: false });
    // An unknown field: an error that keeps the resource (pruned), with its line.
    const { read } = source(() => `---\n${route('a.example.com', '\n  colour: red')}`);
    await states.read('a.yaml', read, { key: 'v1', settled: false });
    const first = states.collect(['a.yaml']);
    expect(first.resources.map((r) => r.resource.metadata.name)).toEqual(['a']);
    expect(first.problems.map((p) => [p.file, p.document, p.line, p.path.join('.')])).toEqual([
      ['a.yaml', 1, 8, 'spec.colour'],
    ]);
    // Touched (a new version), the same bytes: decoded again, nothing replaced.
    await states.read('a.yaml', read, { key: 'v2', settled: true });
    const again = states.collect(['a.yaml']);
    expect(again.resources[0]).toBe(first.resources[0]);
    expect(again.problems[0]).toBe(first.problems[0]);
    // The same bytes read at a settled version: that version now holds.
    expect(states.holds('a.yaml', { key: 'v2', settled: true })).toBe(true);
  });

  it('hashes a re-read at the same version before decoding, and decodes bytes that changed', async () => {
    const states = new FileStates({ lenient: false });
    let text = route('a.example.com');
    const { reads, read } = source(() => text);
    await states.read('a.yaml', read, { key: 'v1', settled: false });
    const first = states.collect(['a.yaml']).resources[0];
    // Read again once settled: one read (hashed), the same objects.
    await states.read('a.yaml', read, { key: 'v1', settled: true });
    expect(reads.count).toBe(2);
    expect(states.collect(['a.yaml']).resources[0]).toBe(first);
    expect(states.holds('a.yaml', { key: 'v1', settled: true })).toBe(true);
    // A write that kept the version (what the settling rule guards against): the hash differs,
    // the file is read again and decoded.
    text = route('b.example.com');
    await states.read('a.yaml', read, { key: 'v1', settled: true });
    expect(reads.count).toBe(4);
    const [changed] = states.collect(['a.yaml']).resources;
    expect(changed?.resource).toMatchObject({ spec: { hostnames: ['b.example.com'] } });
  });

  it('keeps the last good content of a file broken the same way twice', async () => {
    const states = new FileStates({ lenient: false });
    let text = route('a.example.com');
    const { read } = source(() => text);
    await states.read('a.yaml', read, { key: 'v1', settled: true });
    const good = states.collect(['a.yaml']).resources[0];
    text = route('a.example.com', '\n  rules: 7');
    await states.read('a.yaml', read, { key: 'v2', settled: true });
    const broken = states.collect(['a.yaml']);
    await states.read('a.yaml', read, { key: 'v3', settled: true });
    const again = states.collect(['a.yaml']);
    expect(again.resources).toEqual([good]);
    expect(again.resources[0]).toBe(good);
    expect(again.problems).toEqual(broken.problems);
    expect(again.problems.map((p) => [p.severity, p.line])).toEqual([
      ['error', 7],
      ['warning', undefined],
    ]);
  });
});
