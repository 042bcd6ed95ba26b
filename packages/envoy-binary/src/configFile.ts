// Writes an Envoy bootstrap (YAML/JSON text or a proto3-JSON value) to a temp file for `envoy -c`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A bootstrap as YAML or JSON text, or as a proto3 JSON value (e.g. from `toEnvoyJson`). */
export type EnvoyConfig = string | object;

export interface ConfigDir {
  readonly dir: string;
  readonly configPath: string;
  remove(): void;
}

/** Envoy picks the parser by extension (.json/.yaml); JSON is valid YAML, so text goes to .yaml. */
export const writeConfig = (config: EnvoyConfig): ConfigDir => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-envoy-'));
  const isText = typeof config === 'string';
  const configPath = join(dir, isText ? 'envoy.yaml' : 'envoy.json');
  writeFileSync(configPath, isText ? config : JSON.stringify(config));
  return { dir, configPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
};
