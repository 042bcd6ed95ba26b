// Per-file memory of the provider: a digest of the content last read and the resources last read
// without an error, so that a broken file keeps contributing its last good content.
import { createHash } from 'node:crypto';
import {
  createDocumentCache,
  type DecodeOptions,
  type DocumentCache,
  type Problem,
  refuses,
  type SourcedResource,
  streamResourceFile,
} from '@egts/api';
import type { FileVersion } from './fileVersion.js';

interface FileState {
  /** Digest of the content last parsed (undefined after a read error). */
  digest: string | undefined;
  /** The version the content was read at: the same one, settled then, needs no read. */
  version: FileVersion | undefined;
  /** Resources the file contributes now. */
  resources: SourcedResource[];
  /** Problems of the last read. */
  problems: Problem[];
  /** Whether the file has ever read without an error problem. */
  everGood: boolean;
  /** Its documents as last decoded: an edit decodes only the documents it changed. */
  documents: DocumentCache;
}

// An unknown field is an error, but its resource is read (pruned): the file is not broken.
const hasError = (problems: readonly Problem[]): boolean => problems.some(refuses);

export class FileStates {
  readonly #files = new Map<string, FileState>();
  readonly #decode: DecodeOptions;

  constructor(decode: DecodeOptions) {
    this.#decode = decode;
  }

  /**
   * Reads a file's current content, decoding its documents as the bytes arrive (`read` gives
   * them; it is called again for a file with a YAML directive). Good content replaces what the
   * file contributes; content with any error problem keeps the last good resources, or, if the
   * file never read cleanly, contributes what did decode. Unchanged content changes nothing:
   * its documents come from the cache and the state it had stays, objects and all. A read that
   * throws leaves the state as it was.
   */
  async read(
    file: string,
    read: () => AsyncIterable<Uint8Array>,
    version?: FileVersion,
  ): Promise<void> {
    const previous = this.#files.get(file);
    // The same version as the last read, which was not settled then (a file read again just
    // after it changed) or is read again anyway (the resync): the bytes are almost always the
    // same, so they are hashed before anything is decoded; a 1 MB file costs a read and a
    // hash instead of a decode. Different bytes (a write that kept the stamps) are read again.
    if (
      version !== undefined &&
      previous?.digest !== undefined &&
      previous.version?.key === version.key &&
      (await digestOf(read())) === previous.digest
    ) {
      previous.version = version;
      return;
    }
    // `version` is taken before the read: content changed after it gets a newer version, so
    // at worst one more read.
    const documents = previous?.documents ?? createDocumentCache();
    let hash = createHash('sha256');
    const hashed = async function* () {
      hash = createHash('sha256');
      for await (const chunk of read()) {
        hash.update(chunk);
        yield chunk;
      }
    };
    const parsed = await streamResourceFile(hashed, file, this.#decode, documents);
    const digest = hash.digest('base64');
    if (previous?.digest === digest) {
      previous.version = version;
      return;
    }
    const broken = hasError(parsed.problems);
    if (!broken) {
      this.#files.set(file, {
        digest,
        version,
        resources: parsed.resources,
        problems: parsed.problems,
        everGood: true,
        documents,
      });
      return;
    }
    const keep = previous?.everGood === true;
    this.#files.set(file, {
      digest,
      version,
      resources: keep ? previous.resources : parsed.resources,
      problems: keep ? [...parsed.problems, keptProblem(file)] : parsed.problems,
      everGood: keep,
      documents,
    });
  }

  /** Whether the file was last read, without a read error, at this version, settled then. */
  holds(file: string, version: FileVersion): boolean {
    const readAt = this.#files.get(file)?.version;
    return version.settled && readAt?.settled === true && readAt.key === version.key;
  }

  /** A file that exists but cannot be read: reported, and its last content kept. */
  unreadable(file: string, message: string): void {
    const previous = this.#files.get(file);
    this.#files.set(file, {
      digest: undefined,
      version: undefined,
      resources: previous?.resources ?? [],
      problems: [{ severity: 'error', file, path: [], message: `cannot read: ${message}` }],
      everGood: previous?.everGood ?? false,
      documents: previous?.documents ?? createDocumentCache(),
    });
  }

  /** Forgets every file not in `present` (deleted files take their resources with them). */
  retain(present: ReadonlySet<string>): void {
    for (const file of [...this.#files.keys()]) if (!present.has(file)) this.#files.delete(file);
  }

  /** Resources and problems of every file, in `order`. */
  collect(order: readonly string[]): { resources: SourcedResource[]; problems: Problem[] } {
    const resources: SourcedResource[] = [];
    const problems: Problem[] = [];
    for (const file of order) {
      const state = this.#files.get(file);
      if (state === undefined) continue;
      resources.push(...state.resources);
      problems.push(...state.problems);
    }
    return { resources, problems };
  }
}

const digestOf = async (chunks: AsyncIterable<Uint8Array>): Promise<string> => {
  const hash = createHash('sha256');
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest('base64');
};

const keptProblem = (file: string): Problem => ({
  severity: 'warning',
  file,
  path: [],
  message: 'the file has errors: its last good content is kept until they are fixed',
});
