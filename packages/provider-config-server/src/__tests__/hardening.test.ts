// Bad requests and a crash's leftovers: a malformed percent-escape is the client's error (400,
// not 500), and a temp file left by a kill between write and rename is removed on start
// (issue #16, item 12).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigServerProvider, createConfigServerProvider, STATE_FILE } from '../index.js';

const TOKEN = 's3cret-token';
let dir: string;
let server: ConfigServerProvider | undefined;

const start = async () => {
  server = await createConfigServerProvider({
    dataDir: dir,
    http: { host: '127.0.0.1', port: 0 },
    token: TOKEN,
    statuses: () => [],
  });
  return server;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'egts-config-server-hardening-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('config server hardening', () => {
  it('answers a malformed percent-encoding in the path with 400', async () => {
    const { httpPort } = await start();
    const res = await fetch(
      `http://127.0.0.1:${httpPort}/v1/resources/HTTPRoute/default/%E0%A4%A`,
      {
        headers: { authorization: `Bearer ${TOKEN}` },
      },
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/malformed percent-encoding/);
  });

  it('removes temp files a crash left beside the state file, and nothing else', async () => {
    writeFileSync(join(dir, STATE_FILE), '{"revision": 3, "items": []}\n');
    writeFileSync(join(dir, `.${STATE_FILE}.0123456789ab.tmp`), '{"revision": 4, "it');
    writeFileSync(join(dir, 'notes.tmp'), 'not ours');
    await start();
    expect(readdirSync(dir).sort()).toEqual(['notes.tmp', STATE_FILE].sort());
  });
});
