// The admin console in a real browser (Debian's Chromium, headless, driven by playwright-core):
// `egts run` serves a Gateway through a real Envoy, the page shows the Gateway, its route and the
// proxy's ACKs; a broken route written to the watched directory shows up on the page, first in the
// table, within seconds. Keeps a screenshot in apps/gateway/test-artifacts/ (git-ignored).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './runCli.js';
import { Backends, freePort, gatewayWith, route, service } from './throughEnvoy.js';

const chromiumPath = [process.env.EGTS_CHROMIUM, '/usr/bin/chromium'].find(
  (path): path is string => path !== undefined && path !== '' && existsSync(path),
);
const artifacts = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');
/** Generous for a loaded machine; the figure the test prints is what it really took. */
const SHOWS_UP_WITHIN_MS = 30_000;

describe.runIf(chromiumPath !== undefined)('admin console in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-console-'));
  const backends = new Backends();
  let egts: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const backendPort = await backends.start('a');
    writeFileSync(
      join(dir, 'base.yaml'),
      gatewayWith(
        await freePort(),
        `${service('a', backendPort)}---\n${route('good', '/', 'a', backendPort)}`,
      ),
    );
    egts = await startCli([
      'run',
      '-f',
      dir,
      '--xds-address',
      '127.0.0.1:0',
      '--admin-address',
      '127.0.0.1:0',
    ]);
    // Chromium's sandbox needs user namespaces, which containers and root often lack; a container's
    // /dev/shm is often 64 MiB, too small for it, and there is no GPU. Its crash handler and
    // profile want a writable home, which a CI user may lack: point them at this test's directory.
    const browserHome = join(dir, 'chromium-home');
    mkdirSync(browserHome, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath!,
      args: [
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--disable-gpu',
        '--disable-crash-reporter',
      ],
      env: {
        ...process.env,
        HOME: browserHome,
        XDG_CONFIG_HOME: join(browserHome, '.config'),
        XDG_CACHE_HOME: join(browserHome, '.cache'),
      },
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await egts?.stop();
    backends.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the Gateway, its route and the proxy that ACKed them', async () => {
    await page.goto(`http://127.0.0.1:${egts.adminPort}/`);
    const good = page.locator('#resources tr[data-kind="HTTPRoute"][data-name="default/good"]');
    await good.waitFor({ timeout: SHOWS_UP_WITHIN_MS });
    expect(await good.getAttribute('class')).toBe('good');
    expect(await good.textContent()).toContain('Accepted=True');
    const gateway = page.locator('[data-gateway="default/eg"]');
    expect(await gateway.textContent()).toContain('Programmed=True');
    // The real Envoy connects and ACKs: its stream row names the Gateway and the types it ACKed.
    const stream = page.locator('#streams tbody tr', { hasText: 'default/eg' });
    await stream.filter({ hasText: 'Listener: 1' }).waitFor({ timeout: 60_000 });
    // The versions it ACKed, by resource, on hover.
    const acked = stream.locator('div', { hasText: 'Listener: 1' });
    expect(await acked.getAttribute('title')).toMatch(/^default\/eg\/http@\S+$/);
    await page
      .locator('[data-metric="egts_xds_push_latency_seconds"]')
      .first()
      .waitFor({ timeout: SHOWS_UP_WITHIN_MS });
    expect(await page.locator('[data-metric="egts_translation_duration_seconds"]').count()).toBe(1);
  }, 120_000);

  it('shows a broken route, first in the table, within seconds', async () => {
    const refreshes = Number(await page.locator('body').getAttribute('data-refreshes'));
    const written = performance.now();
    writeFileSync(join(dir, 'broken.yaml'), route('broken', '/broken', 'missing', 8080));
    const broken = page.locator(
      '#resources tr.bad[data-kind="HTTPRoute"][data-name="default/broken"]',
    );
    await broken.waitFor({ timeout: SHOWS_UP_WITHIN_MS });
    const tookMs = Math.round(performance.now() - written);
    console.log(
      `admin console: the broken route showed up ${tookMs} ms after its file was written`,
    );
    expect(await broken.textContent()).toContain('ResolvedRefs=False');
    expect(await broken.textContent()).toContain('BackendNotFound');
    // Bad ones first: the broken route is the table's first row, above the good one.
    expect(await page.locator('#resources tbody tr').first().getAttribute('data-name')).toBe(
      'default/broken',
    );
    expect(Number(await page.locator('body').getAttribute('data-refreshes'))).toBeGreaterThan(
      refreshes,
    );
    expect(await page.locator('#summary').textContent()).toContain('1 not accepted');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'admin-console.png'), fullPage: true });
  });
});

describe.runIf(chromiumPath === undefined)('admin console in headless Chromium', () => {
  // CI installs Chromium (scripts/setup-chromium.sh): there, a missing browser is a failure.
  it.runIf(process.env.CI === 'true')('needs Chromium in CI', () => {
    expect.fail('no Chromium: run scripts/setup-chromium.sh or set EGTS_CHROMIUM');
  });
  it.skipIf(process.env.CI === 'true')(
    'cannot run: no Chromium (scripts/setup-chromium.sh)',
    () => {
      console.warn('skipped: no Chromium at EGTS_CHROMIUM or /usr/bin/chromium');
    },
  );
});
