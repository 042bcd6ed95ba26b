// Checks a bootstrap with `envoy --mode validate`: Envoy parses it and builds every static
// resource without serving (https://www.envoyproxy.io/docs/envoy/latest/operations/cli#cmdoption-mode).
import { execFile } from 'node:child_process';
import { type EnvoyConfig, writeConfig } from './configFile.js';
import { findEnvoy } from './findEnvoy.js';

export interface ValidationResult {
  readonly valid: boolean;
  /** Envoy's output (the reason when invalid). */
  readonly output: string;
}

export interface ValidateOptions {
  /** Envoy executable; defaults to `findEnvoy()`. */
  readonly envoyPath?: string;
}

export const validateEnvoyConfig = (
  config: EnvoyConfig,
  options: ValidateOptions = {},
): Promise<ValidationResult> => {
  const envoy = options.envoyPath ?? findEnvoy();
  const file = writeConfig(config);
  return new Promise((resolve) => {
    execFile(
      envoy,
      ['--mode', 'validate', '-c', file.configPath, '--disable-hot-restart', '--log-level', 'warn'],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        file.remove();
        resolve({ valid: error === null, output: `${stdout}${stderr}` });
      },
    );
  });
};
