// The `yaml` library, loaded on first use. Most documents are read by JSON.parse or js-yaml and
// written by egts's own writer, so a command or a server start that never needs the library does
// not pay its module loading (~45 ms of CPU, 72 files: issue #24).
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let library: typeof Yaml | undefined;

export const yamlLibrary = (): typeof Yaml => {
  library ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return library;
};
