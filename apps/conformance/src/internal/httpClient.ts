// One HTTP(S) request through Envoy as the suite's roundtripper makes it: an explicit Host header
// (and SNI), no redirect following, the echo body parsed when the backend answered (decoded
// first when Envoy compressed it: gzip, brotli, and zstd where this Node can decode it).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import * as zlib from 'node:zlib';
import type { EchoResponse } from './echoServer.js';

/** zlib's zstd decoder, from Node 22.15 on; undefined before. */
const zstdDecompress = (zlib as { zstdDecompressSync?: (data: Buffer) => Buffer })
  .zstdDecompressSync;

/** Whether compressed answers in `encoding` can be read here. */
export const canDecode = (encoding: string): boolean =>
  encoding !== 'zstd' || zstdDecompress !== undefined;

const decode = (raw: Buffer, encoding: string | undefined): Buffer => {
  try {
    if (encoding === 'gzip') return zlib.gunzipSync(raw);
    if (encoding === 'br') return zlib.brotliDecompressSync(raw);
    if (encoding === 'zstd' && zstdDecompress) return zstdDecompress(raw);
  } catch {
    return raw;
  }
  return raw;
};

export interface HttpRequest {
  readonly port: number;
  readonly host?: string | undefined;
  readonly path: string;
  readonly method?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Request body, sent with its Content-Length. */
  readonly body?: string | undefined;
  readonly scheme?: 'http' | 'https' | undefined;
  /** SNI for HTTPS; default: the host. */
  readonly serverName?: string | undefined;
  readonly ca?: string | undefined;
  /** Presented when the server asks for a client certificate. */
  readonly clientCertificate?: { readonly cert: string; readonly key: string } | undefined;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Each response header's values, one per header line, by lower-case name. */
  readonly headerLines?: Readonly<Record<string, readonly string[]>>;
  readonly echo?: EchoResponse;
  readonly body: string;
}

export const sendRequest = (req: HttpRequest, timeoutMs = 3_000): Promise<HttpResult> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.host !== undefined) headers.host = req.host;
    const https = req.scheme === 'https';
    const options = {
      host: '127.0.0.1',
      port: req.port,
      path: req.path,
      method: req.method ?? 'GET',
      headers,
      agent: false as const,
      timeout: timeoutMs,
      ...(https
        ? {
            servername: req.serverName ?? (req.host ?? '').replace(/:\d+$/, ''),
            rejectUnauthorized: req.ca !== undefined,
            ...(req.ca ? { ca: req.ca } : {}),
            ...(req.clientCertificate ?? {}),
          }
        : {}),
    };
    const call = (https ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const encoding = res.headers['content-encoding'];
        const body = decode(Buffer.concat(chunks), encoding).toString();
        let echo: EchoResponse | undefined;
        if ((res.headers['content-type'] ?? '').includes('application/json')) {
          try {
            echo = JSON.parse(body) as EchoResponse;
          } catch {
            echo = undefined;
          }
        }
        // Node joins repeated header lines with ", "; Go's http.Header, which the suite reads,
        // keeps one value per line.
        const headerLines: Record<string, string[]> = {};
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          headerLines[name] = [...(headerLines[name] ?? []), res.rawHeaders[i + 1]!];
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          headerLines,
          body,
          ...(echo ? { echo } : {}),
        });
      });
      res.on('error', reject);
    });
    call.on('timeout', () => call.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    call.on('error', reject);
    call.end(req.body);
  });
