// One HTTP(S) request through Envoy as the suite's roundtripper makes it: an explicit Host header
// (and SNI), no redirect following, the echo body parsed when the backend answered (decoded
// first when Envoy compressed it: gzip, brotli, and zstd where this Node can decode it).
import { request as httpRequest } from 'node:http';
import { connect as http2Connect } from 'node:http2';
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
  readonly body?: string | undefined;
  /** `h2c`: cleartext HTTP/2 with prior knowledge. */
  readonly protocol?: 'h2c' | undefined;
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

/** The answer's parts as the suite reads them: the echo JSON parsed when there is one. */
const result = (
  status: number,
  headers: Record<string, string | string[] | undefined>,
  headerLines: Record<string, string[]>,
  raw: Buffer,
): HttpResult => {
  const encoding = headers['content-encoding'];
  const body = decode(raw, typeof encoding === 'string' ? encoding : undefined).toString();
  let echo: EchoResponse | undefined;
  if (String(headers['content-type'] ?? '').includes('application/json')) {
    try {
      echo = JSON.parse(body) as EchoResponse;
    } catch {
      echo = undefined;
    }
  }
  return { status, headers, headerLines, body, ...(echo ? { echo } : {}) };
};

/** One request over cleartext HTTP/2 with prior knowledge, on a connection of its own. */
const sendH2c = (req: HttpRequest, timeoutMs: number): Promise<HttpResult> =>
  new Promise((resolve, reject) => {
    const session = http2Connect(`http://127.0.0.1:${req.port}`);
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      session.destroy();
      reject(error);
    };
    session.on('error', fail);
    const stream = session.request({
      ':method': req.method ?? 'GET',
      ':path': req.path,
      ':authority': req.host ?? `127.0.0.1:${req.port}`,
      ...req.headers,
    });
    stream.on('error', fail);
    const chunks: Buffer[] = [];
    let status = 0;
    const headers: Record<string, string | string[] | undefined> = {};
    const headerLines: Record<string, string[]> = {};
    stream.on('response', (answer) => {
      status = Number(answer[':status'] ?? 0);
      for (const [name, value] of Object.entries(answer)) {
        if (name.startsWith(':') || value === undefined) continue;
        headers[name] = value;
        headerLines[name] = [value].flat().map(String);
      }
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      clearTimeout(timer);
      session.close();
      resolve(result(status, headers, headerLines, Buffer.concat(chunks)));
    });
    stream.end(req.body);
  });

export const sendRequest = (req: HttpRequest, timeoutMs = 3_000): Promise<HttpResult> =>
  req.protocol === 'h2c' ? sendH2c(req, timeoutMs) : sendHttp1(req, timeoutMs);

const sendHttp1 = (req: HttpRequest, timeoutMs: number): Promise<HttpResult> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.host !== undefined) headers.host = req.host;
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
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
        // Node joins repeated header lines with ", "; Go's http.Header, which the suite reads,
        // keeps one value per line.
        const headerLines: Record<string, string[]> = {};
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          headerLines[name] = [...(headerLines[name] ?? []), res.rawHeaders[i + 1]!];
        }
        resolve(result(res.statusCode ?? 0, res.headers, headerLines, Buffer.concat(chunks)));
      });
      res.on('error', reject);
    });
    call.on('timeout', () => call.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    call.on('error', reject);
    call.end(req.body);
  });
