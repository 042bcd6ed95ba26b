// Envoy's stdout and stderr as a real pipe (a FIFO), read without blocking.
//
// Node's `stdio: 'pipe'` hands the child one end of a socketpair. Envoy writes its own log and
// access logs to it fine (access logs special-case /dev/stdout), but anything Envoy opens by path,
// such as a health check event log at `/dev/stdout` (Envoy Gateway's default for
// `healthCheck.active.healthCheckLog`), goes through /proc/self/fd/1, and open(2) on a socket fails
// with ENXIO: Envoy then rejects the cluster. A FIFO can be opened again by path, so Envoy gets one.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';

export interface OutputPipe {
  /** The write end, to give the child as its stdout and stderr; close it once spawned. */
  readonly writeFd: number;
  /** The read end, as a non-blocking stream (ends when every writer has closed). */
  readonly reader: Socket;
  closeWriteEnd(): void;
}

/**
 * Makes a FIFO in `dir`, opens both ends and unlinks it (the open ends keep it alive). The read end
 * is opened first with O_NONBLOCK, so opening the write end does not wait for a reader; `net.Socket`
 * reads it through the event loop (a plain fs stream would hold a thread-pool thread per read).
 */
export const createOutputPipe = (dir: string): OutputPipe => {
  const path = join(dir, 'envoy-output');
  // Node has no mkfifo(3); mkfifo(1) is in coreutils (POSIX), like the `ss` the tests use.
  execFileSync('mkfifo', ['-m', '600', path]);
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  unlinkSync(path);
  const reader = new Socket({ fd: readFd, readable: true, writable: false });
  let open = true;
  return {
    writeFd,
    reader,
    closeWriteEnd: () => {
      if (!open) return;
      open = false;
      closeSync(writeFd);
    },
  };
};
