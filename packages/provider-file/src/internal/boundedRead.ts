// Reads a resource file without ever waiting forever: only regular files (a symlink is followed
// to one), at most `maxBytes`, within `timeoutMs`. A FIFO opened for reading blocks until a writer
// comes, and a read on a hung file system never returns; either would wedge the provider (and
// hold one of libuv's four file-system threads each), so they are refused or abandoned instead.
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

export interface BoundedReadOptions {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** Why a file was not read; its message says so in words an operator can act on. */
export class UnreadableFile extends Error {}

/** The read did not answer in time; it may still return later (see `settled`). */
export class ReadTimedOut extends UnreadableFile {}

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

/**
 * Reads `file` as UTF-8. Rejects with UnreadableFile when it is not a regular file, is too large,
 * or does not answer in time; with the system error (ENOENT...) otherwise. `settled` resolves
 * when the underlying read has really finished, even after a timeout.
 */
export function boundedRead(
  file: string,
  options: BoundedReadOptions,
): { text: Promise<string>; settled: Promise<void> } {
  const read = readRegular(file, options.maxBytes);
  const settled = read.then(
    () => undefined,
    () => undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ReadTimedOut(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
  });
  const text = Promise.race([read, timeout]).finally(() => clearTimeout(timer));
  return { text, settled };
}

async function readRegular(file: string, maxBytes: number): Promise<string> {
  // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer, so
  // the type check below is reached even if a regular file was swapped for one since listing.
  const handle: FileHandle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UnreadableFile(`${kind(info)}, not a regular file`);
    if (info.size > maxBytes)
      throw new UnreadableFile(`${info.size} bytes, over the limit of ${maxBytes}`);
    // The file may grow after stat: read in chunks until end of file, stopping past the limit.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(Math.max(info.size - length, 0) + 1, 1024 * 1024));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new UnreadableFile(`over the limit of ${maxBytes} bytes`);
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, length).toString('utf8');
  } finally {
    await handle.close();
  }
}
