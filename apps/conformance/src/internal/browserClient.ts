// An HTTP client that behaves like a browser for login flows (Envoy Gateway's OIDC test client):
// a cookie jar per host (RFC 6265 name/value and deletion; Path and Domain are not needed by the
// flows here), redirects followed on request, and host names mapped to local ports (the
// Gateway's Envoy) as the e2e test maps cluster DNS names to the Gateway address. HTTPS URLs
// are sent over TLS with the URL's host as SNI; like the e2e test's client, the client does not
// verify the server's certificate (Envoy's side of TLS, the thing under test, does).
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface BrowserResponse {
  readonly status: number;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** Set-Cookie lines of this response. */
  readonly setCookies: readonly string[];
}

export class BrowserClient {
  readonly #jar = new Map<string, Map<string, string>>();
  readonly #ports: ReadonlyMap<string, number>;
  /** Every URL requested, in order (for failure messages). */
  readonly trail: string[] = [];
  /** Every Set-Cookie line received, in order. */
  readonly setCookieLines: string[] = [];

  /** `ports`: `host` (or `host:port`, or `https://host` for HTTPS) -> local port serving it. */
  constructor(ports: Readonly<Record<string, number>>) {
    this.#ports = new Map(Object.entries(ports));
  }

  get(
    url: string,
    follow: boolean,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<BrowserResponse> {
    return this.#follow('GET', url, undefined, follow, headers);
  }

  /** Posts a form (application/x-www-form-urlencoded), following redirects. */
  postForm(url: string, form: Readonly<Record<string, string>>): Promise<BrowserResponse> {
    return this.#follow('POST', url, new URLSearchParams(form).toString(), true, {});
  }

  async #follow(
    method: string,
    url: string,
    body: string | undefined,
    follow: boolean,
    extraHeaders: Readonly<Record<string, string>>,
  ): Promise<BrowserResponse> {
    let current = { method, url, body };
    for (let hops = 0; hops < 20; hops += 1) {
      const response = await this.#send(current.method, current.url, current.body, extraHeaders);
      const location = response.headers.location;
      if (!follow || response.status < 300 || response.status > 399 || typeof location !== 'string')
        return response;
      const next = new URL(location, current.url).toString();
      // 307/308 keep the method and body; the others become a GET (as browsers do).
      current =
        response.status === 307 || response.status === 308
          ? { ...current, url: next }
          : { method: 'GET', url: next, body: undefined };
    }
    throw new Error(`too many redirects: ${this.trail.slice(-5).join(' -> ')}`);
  }

  #port(url: URL): number {
    const port =
      (url.protocol === 'https:' ? this.#ports.get(`https://${url.host}`) : undefined) ??
      this.#ports.get(url.host) ??
      this.#ports.get(url.hostname);
    if (port === undefined) throw new Error(`no local address for ${url.host}`);
    return port;
  }

  #cookies(host: string): Map<string, string> {
    let jar = this.#jar.get(host);
    if (!jar) {
      jar = new Map();
      this.#jar.set(host, jar);
    }
    return jar;
  }

  #store(host: string, lines: readonly string[]): void {
    const jar = this.#cookies(host);
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [key = '', v = ''] = a.split('=');
        const k = key.trim().toLowerCase();
        return (
          (k === 'max-age' && Number(v) <= 0) ||
          (k === 'expires' && Date.parse(v.trim()) < Date.now())
        );
      });
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  #send(
    method: string,
    url: string,
    body: string | undefined,
    extraHeaders: Readonly<Record<string, string>>,
  ): Promise<BrowserResponse> {
    const target = new URL(url);
    this.trail.push(`${method} ${url}`);
    const jar = this.#cookies(target.hostname);
    const headers: Record<string, string> = { ...extraHeaders, host: target.host };
    if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const tls = target.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (tls ? httpsRequest : request)(
        {
          host: '127.0.0.1',
          port: this.#port(target),
          method,
          path: `${target.pathname}${target.search}`,
          headers,
          ...(tls ? { servername: target.hostname, rejectUnauthorized: false } : {}),
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            const setCookies = res.headers['set-cookie'] ?? [];
            this.#store(target.hostname, setCookies);
            this.setCookieLines.push(...setCookies);
            resolve({
              status: res.statusCode ?? 0,
              url,
              headers: res.headers,
              body: text,
              setCookies,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The `action` of the form with this id in an HTML page, resolved against the page's URL. */
export const formAction = (page: BrowserResponse, formId: string): string | undefined => {
  const form = new RegExp(`<form[^>]*\\bid="${formId}"[^>]*>`, 'i').exec(page.body)?.[0];
  const action = form && /\baction="([^"]*)"/i.exec(form)?.[1];
  return action === undefined
    ? undefined
    : new URL(action.replaceAll('&amp;', '&'), page.url).toString();
};
