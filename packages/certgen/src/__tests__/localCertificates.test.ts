// Host mode's certificate directory: made once, private, kept while valid, renewed with a third
// of their validity left, and one set when two processes start together.
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureLocalCertificates } from '../index.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'egts-local-certs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('ensureLocalCertificates', () => {
  it('generates a private set once and keeps it while valid', async () => {
    const dir = join(root, 'state', 'xds-tls');
    const first = await ensureLocalCertificates(dir);
    expect(first.generated).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(first.serverKey).mode & 0o777).toBe(0o600);
    expect(statSync(first.clientKey).mode & 0o777).toBe(0o600);
    const again = await ensureLocalCertificates(dir);
    expect(again.generated).toBe(false);
    expect(readFileSync(again.ca, 'utf8')).toBe(readFileSync(first.ca, 'utf8'));
  });

  it('renews a set with less than a third of its validity left', async () => {
    const dir = join(root, 'xds-tls');
    const day = 24 * 3600 * 1000;
    const first = await ensureLocalCertificates(dir, { validityMs: 30 * day });
    const later = new Date(Date.now() + 21 * day);
    const renewed = await ensureLocalCertificates(dir, { validityMs: 30 * day, now: later });
    expect(renewed.generated).toBe(true);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
  });

  it('ends with one set when two starts race', async () => {
    const dir = join(root, 'xds-tls');
    const [a, b] = await Promise.all([ensureLocalCertificates(dir), ensureLocalCertificates(dir)]);
    expect(readFileSync(a.ca, 'utf8')).toBe(readFileSync(b.ca, 'utf8'));
    expect(readFileSync(a.clientCert, 'utf8')).toBe(readFileSync(b.clientCert, 'utf8'));
  });

  it('switches every file at once through ..data, and leaves no old set behind', async () => {
    const dir = join(root, 'xds-tls');
    const day = 24 * 3600 * 1000;
    const first = await ensureLocalCertificates(dir, { validityMs: 30 * day });
    expect(lstatSync(first.clientCert).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, '..data')).isSymbolicLink()).toBe(true);
    expect(first.watchedDirectory).toBe(dir);
    const firstCa = readFileSync(first.ca, 'utf8');
    const later = new Date(Date.now() + 21 * day);
    const renewed = await ensureLocalCertificates(dir, { validityMs: 30 * day, now: later });
    expect(renewed.clientCert).toBe(first.clientCert);
    expect(readFileSync(renewed.ca, 'utf8')).not.toBe(firstCa);
    expect(readFileSync(renewed.serverCert, 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(readdirSync(dir).filter((e) => e.startsWith('..set-'))).toHaveLength(1);
  });

  it('renews a directory of the earlier layout (real files) into this one', async () => {
    const dir = join(root, 'xds-tls');
    mkdirSync(join(dir, 'envoy'), { recursive: true });
    writeFileSync(join(dir, 'envoy', 'tls.crt'), 'old');
    const files = await ensureLocalCertificates(dir);
    expect(files.generated).toBe(true);
    expect(lstatSync(files.clientCert).isSymbolicLink()).toBe(true);
    expect(readFileSync(files.clientCert, 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
