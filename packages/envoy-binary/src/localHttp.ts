// Plain-HTTP requests to processes on this machine: Envoy's admin interface, the rate limit
// service's health check and metrics. node:http rather than fetch(): the first fetch() in a
// process loads undici and compiles its WebAssembly HTTP parser, which cost egts ~40 MiB of peak
// RSS (20 MiB of it kept) and ~40 ms of CPU right after start-up, when a new proxy's readiness is
// first asked, for a few GETs on the loopback.
import { request } from 'node:http';

export interface LocalResponse {
  readonly status: number;
  readonly body: string;
  /** A 2xx status. */
  readonly ok: boolean;
}

export interface LocalRequestOptions {
  readonly method?: 'GET' | 'POST';
  /** For the whole exchange, connecting to the last byte of the body; default 10 s. */
  readonly timeoutMs?: number;
}

/** `url`'s status and body (UTF-8); rejects when the exchange fails or outlasts the timeout. */
export function localHttp(url: string, options: LocalRequestOptions = {}): Promise<LocalResponse> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, response?: LocalResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error !== undefined) reject(error);
      else resolve(response!);
    };
    const req = request(url, { method: options.method ?? 'GET' }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        finish(undefined, { status, body, ok: status >= 200 && status < 300 });
      });
      res.on('error', (error) => finish(error));
      res.on('aborted', () => finish(new Error(`${url}: the response was cut off`)));
    });
    const timer = setTimeout(() => {
      const error = new Error(`${url}: no answer within ${timeoutMs} ms`);
      finish(error);
      req.destroy(error);
    }, timeoutMs);
    req.on('error', (error) => finish(error));
    req.end();
  });
}
