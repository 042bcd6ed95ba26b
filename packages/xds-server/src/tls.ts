// Server TLS for xDS: TLS 1.3 only, client certificates required and verified against a CA,
// and certificate/key/CA files re-read when they change, without restarting the server.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { ServerCredentials } from '@grpc/grpc-js';

export interface TlsFiles {
  /** PEM certificate chain of the server. */
  readonly certFile: string;
  /** PEM private key of the server. */
  readonly keyFile: string;
  /** PEM CA bundle that client certificates must chain to. */
  readonly caFile: string;
  /** How often files are polled for changes (ms); default 1000. */
  readonly reloadIntervalMs?: number;
}

const MIN_VERSION = 'TLSv1.3' as const;

/**
 * grpc-js credentials whose secure context is replaced when the files change: grpc-js calls
 * `setSecureContext` on its HTTP/2 server for every update (new connections use the new files).
 */
class ReloadingTlsCredentials extends ServerCredentials {
  readonly #files: TlsFiles;
  readonly #reload = (): void => {
    try {
      this.updateSecureContextOptions(readContext(this.#files));
    } catch {
      // A half-written file: keep the current context; the next change retries.
    }
  };

  constructor(files: TlsFiles) {
    super(
      // requestCert + rejectUnauthorized: a client without a certificate the CA signed is refused
      // during the handshake.
      { requestCert: true, rejectUnauthorized: true, minVersion: MIN_VERSION },
      readContext(files),
    );
    this.#files = files;
    const interval = files.reloadIntervalMs ?? 1000;
    for (const file of [files.certFile, files.keyFile, files.caFile]) {
      watchFile(file, { interval, persistent: false }, this.#reload);
    }
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }

  /** Stops watching the files. */
  dispose(): void {
    for (const file of [this.#files.certFile, this.#files.keyFile, this.#files.caFile]) {
      unwatchFile(file, this.#reload);
    }
  }
}

const readContext = (files: TlsFiles): SecureContextOptions => ({
  cert: readFileSync(files.certFile),
  key: readFileSync(files.keyFile),
  ca: readFileSync(files.caFile),
  // Kept in the context too: setSecureContext builds a new context from these options alone.
  minVersion: MIN_VERSION,
});

export interface DisposableCredentials {
  readonly credentials: ServerCredentials;
  dispose(): void;
}

export const createMtlsCredentials = (files: TlsFiles): DisposableCredentials => {
  const credentials = new ReloadingTlsCredentials(files);
  return { credentials, dispose: () => credentials.dispose() };
};
