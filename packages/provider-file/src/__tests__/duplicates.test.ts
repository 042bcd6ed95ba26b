// A file that starts declaring a route another file already declares does not take it over:
// the route that was there first keeps serving and the newcomer is reported (issue #16, item 4).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

describe('duplicate objects across files', () => {
  let dir: string;
  let provider: FileProvider | undefined;
  let latest: FileSnapshot | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'egts-duplicates-'));
  });
  afterEach(async () => {
    await provider?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const hostname = () =>
    latest?.resources.httpRoutes.find((r) => r.metadata.name === 'shop')?.spec.hostnames;

  it('keeps the route of the file that had it first, whatever the new file is called', async () => {
    writeFileSync(
      join(dir, 'routes.yaml'),
      `${route('shop', 'shop.example.com')}---\n${route('other', 'o.example.com')}`,
    );
    provider = createFileProvider({ paths: [dir], debounceMs: 20 });
    provider.resources$.subscribe((s) => {
      latest = s;
    });
    await eventually(() => hostname()?.[0] === 'shop.example.com');

    // "a-new.yaml" sorts before "routes.yaml".
    writeFileSync(join(dir, 'a-new.yaml'), route('shop', 'evil.example.com'));
    await eventually(() => (latest?.problems.length ?? 0) > 0);
    expect(hostname()).toEqual(['shop.example.com']);
    const problem = latest?.problems.find((p) => p.severity === 'error');
    expect(problem).toMatchObject({
      file: join(dir, 'a-new.yaml'),
      kind: 'HTTPRoute',
      name: 'shop',
    });
    expect(problem?.message).toMatch(/routes\.yaml.*had it first; this one is ignored/);

    // An edit of the older file keeps it the holder; once it drops the route, the newcomer serves.
    writeFileSync(join(dir, 'routes.yaml'), route('shop', 'shop2.example.com'));
    await eventually(() => hostname()?.[0] === 'shop2.example.com');
    writeFileSync(join(dir, 'routes.yaml'), route('other', 'o.example.com'));
    await eventually(() => hostname()?.[0] === 'evil.example.com');
    expect(latest?.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
