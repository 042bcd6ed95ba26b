// Reads a resource file without ever waiting forever: only regular files (a symlink is followed
// to one), at most `maxBytes`, each step within `timeoutMs`. A FIFO opened for reading blocks
// until a writer comes, and a read on a hung file system never returns; either would wedge the
// provider (and hold one of libuv's four file-system threads each), so they are refused or
// abandoned instead.
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

export interface BoundedReadOptions {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** Why a file was not read; its message says so in words an operator can act on. */
export class UnreadableFile extends Error {}

/** A step of the read did not answer in time; it may still return later. */
export class ReadTimedOut extends UnreadableFile {
  /** Resolves when the step that did not answer has really finished. */
  readonly settled: Promise<void>;

  constructor(message: string, settled: Promise<void>) {
    super(message);
    this.settled = settled;
  }
}

const kind = (info: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string =>
  info.isDirectory()
    ? 'a directory'
    : info.isFIFO()
      ? 'a FIFO'
      : info.isSocket()
        ? 'a socket'
        : info.isCharacterDevice() || info.isBlockDevice()
          ? 'a device'
          : 'not a regular file';

/** Bytes read at a time: the file is decoded piece by piece as they arrive (@egts/api). */
const CHUNK_BYTES = 64 * 1024;

/**
 * Resolves as `operation` does, or rejects with ReadTimedOut after `timeoutMs`; then `settled`
 * resolves once the operation has really finished, after `cleanUp` of what it gave.
 */
export async function answered<T>(
  operation: Promise<T>,
  timeoutMs: number,
  cleanUp: (value: T) => Promise<void> | void = () => {},
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const settled = operation.then(cleanUp).then(
        () => undefined,
        () => undefined,
      );
      reject(new ReadTimedOut(`no answer within ${timeoutMs} ms`, settled));
    }, timeoutMs);
  });
  try {
    return await Promise.race([operation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `file`'s bytes, chunk by chunk, each read as the previous one is taken. Throws UnreadableFile
 * when it is not a regular file or is too large, ReadTimedOut when one step (open, stat, a read)
 * does not answer within `timeoutMs`, the system error (ENOENT...) otherwise. The limit is per
 * step, not for the whole file: decoding between reads takes time a busy machine stretches.
 */
export async function* boundedChunks(
  file: string,
  options: BoundedReadOptions,
): AsyncGenerator<Buffer> {
  const { maxBytes, timeoutMs } = options;
  // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer, so
  // the type check below is reached even if a regular file was swapped for one since listing.
  const handle: FileHandle = await answered(
    open(file, constants.O_RDONLY | constants.O_NONBLOCK),
    timeoutMs,
    (late) => late.close(),
  );
  let stuck: Promise<void> | undefined;
  try {
    const step = <T>(operation: Promise<T>): Promise<T> =>
      answered(operation, timeoutMs).catch((error: unknown) => {
        if (error instanceof ReadTimedOut) stuck = error.settled;
        throw error;
      });
    const info = await step(handle.stat());
    if (!info.isFile()) throw new UnreadableFile(`${kind(info)}, not a regular file`);
    if (info.size > maxBytes)
      throw new UnreadableFile(`${info.size} bytes, over the limit of ${maxBytes}`);
    // The file may grow after stat: read until end of file, stopping past the limit.
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(Math.max(info.size - length, 0) + 1, CHUNK_BYTES));
      const { bytesRead } = await step(handle.read(chunk, 0, chunk.length, length));
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new UnreadableFile(`over the limit of ${maxBytes} bytes`);
      yield chunk.subarray(0, bytesRead);
    }
  } finally {
    // A handle with a step still running closes once that step returns (close would wait for it).
    if (stuck === undefined) await handle.close();
    else void stuck.then(() => handle.close()).catch(() => {});
  }
}
