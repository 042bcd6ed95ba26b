// MaxMind DB files for the GeoIP tests, written by scripts/mmdb-writer (MaxMind's mmdbwriter),
// which scripts/setup-mmdb-writer.sh builds into .tools/mmdb-writer: Envoy's geoip filter reads
// real databases, made here from a few networks and the records MaxMind's databases hold for them.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** A database: its MaxMind type (GeoIP2-City, GeoLite2-ASN, ...) and a record per network. */
export interface MmdbSpec {
  readonly databaseType: string;
  readonly records: ReadonlyArray<{ readonly network: string; readonly data: unknown }>;
}

/** The writer: EGTS_MMDB_WRITER, else .tools/mmdb-writer/mmdb-writer of this repository. */
export function mmdbWriterPath(): string {
  const path =
    process.env.EGTS_MMDB_WRITER ??
    resolve(import.meta.dirname, '../../../../.tools/mmdb-writer/mmdb-writer');
  if (!existsSync(path))
    throw new Error(
      `no MaxMind DB writer at ${path}: run scripts/setup-mmdb-writer.sh (needs Go) or set EGTS_MMDB_WRITER`,
    );
  return path;
}

/** Writes the database `spec` describes to `path` (a .mmdb file). */
export function writeMmdb(path: string, spec: MmdbSpec): void {
  execFileSync(mmdbWriterPath(), [path], {
    input: JSON.stringify(spec),
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}
