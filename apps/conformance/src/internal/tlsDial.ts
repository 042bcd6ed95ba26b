// One TLS handshake with chosen parameters, as Envoy Gateway's e2e helpers dial (dialWithTLSVersion,
// dialWithCipher, dialWithCurve, dialAndExpectALPN): what was negotiated, or that it failed.
import { connect, type SecureVersion } from 'node:tls';

export interface TlsDialOptions {
  readonly port: number;
  readonly serverName: string;
  /** Both ends of the allowed versions; one version when equal. */
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  /** OpenSSL cipher list (TLS 1.2 and below). */
  readonly ciphers?: string;
  /** OpenSSL curve list (`P-256`, `X25519`, ...). */
  readonly ecdhCurve?: string;
  readonly alpn?: readonly string[];
  readonly cert?: string;
  readonly key?: string;
}

export interface TlsDialResult {
  readonly ok: boolean;
  readonly version?: string | null;
  readonly cipher?: string;
  readonly alpn?: string | false | null;
  /** Whether the server sent a session ticket (stateless resumption). */
  readonly ticket?: boolean;
  readonly error?: string;
}

/** Handshakes, waits briefly for a session ticket, and closes; never rejects. */
export const dialTls = (options: TlsDialOptions): Promise<TlsDialResult> =>
  new Promise((resolve) => {
    let ticket = false;
    // TLS 1.0 and 1.1 need OpenSSL's security level 0 on this side, as Go's client allows them.
    const legacy = options.minVersion === 'TLSv1' || options.minVersion === 'TLSv1.1';
    const socket = connect({
      host: '127.0.0.1',
      port: options.port,
      servername: options.serverName,
      rejectUnauthorized: false,
      ...(options.minVersion ? { minVersion: options.minVersion } : {}),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      ...(options.ciphers || legacy
        ? { ciphers: `${options.ciphers ?? 'DEFAULT'}${legacy ? ':@SECLEVEL=0' : ''}` }
        : {}),
      ...(options.ecdhCurve ? { ecdhCurve: options.ecdhCurve } : {}),
      ...(options.alpn ? { ALPNProtocols: [...options.alpn] } : {}),
      ...(options.cert && options.key ? { cert: options.cert, key: options.key } : {}),
    });
    socket.on('session', () => {
      ticket = true;
    });
    socket.once('secureConnect', () => {
      const result = {
        ok: true,
        version: socket.getProtocol(),
        cipher: socket.getCipher().standardName,
        alpn: socket.alpnProtocol,
      };
      // TLS 1.3 tickets follow the handshake; TLS 1.2 ones come with it.
      setTimeout(() => {
        socket.destroy();
        resolve({ ...result, ticket });
      }, 200);
    });
    socket.once('error', (error) => resolve({ ok: false, error: error.message }));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve({ ok: false, error: 'timed out' });
    });
  });
