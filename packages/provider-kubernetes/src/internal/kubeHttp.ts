// The provider's HTTP client for the API server: JSON requests and line-delimited watch streams,
// authenticated from a @kubernetes/client-node KubeConfig (token, client certificate, CA, exec).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
}

/** One event of a watch stream (Kubernetes API concepts, "Efficient detection of changes"). */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: Record<string, unknown>;
}

export class KubeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface WatchOptions {
  readonly signal: AbortSignal;
  /** Abort the stream when no byte arrives for this long (a half-open connection). */
  readonly idleTimeoutMs: number;
  readonly onEvent: (event: WatchEvent) => void;
  /** The API server accepted the watch (200). */
  readonly onOpen?: () => void;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class KubeHttp {
  readonly #config: KubeConfig;

  constructor(config: KubeConfig) {
    this.#config = config;
  }

  get server(): string {
    const cluster = this.#config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server;
  }

  async #open(
    method: string,
    path: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<{ send: (payload?: string) => Promise<IncomingMessage>; abort: () => void }> {
    const url = new URL(path.replace(/^\//, ''), `${this.server.replace(/\/$/, '')}/`);
    const options: RequestOptions = { method, headers: { accept: 'application/json', ...headers } };
    // Sets the Authorization header, CA, client certificate and key; refreshes exec/OIDC tokens.
    await this.#config.applyToHTTPSOptions(options);
    const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const req = request(url, { ...options, ...(signal ? { signal } : {}) });
    let response: IncomingMessage | undefined;
    return {
      send: (payload) =>
        new Promise((done, fail) => {
          req.once('response', (res: IncomingMessage) => {
            response = res;
            done(res);
          });
          // Kept for the whole exchange: a connection reset while the body streams errors the
          // request, and must end the body's iteration too, or a watch would hang on a dead socket.
          // Once the body was read whole nobody listens on the response any more: destroying it
          // with the error then would raise an unhandled 'error' (a keep-alive socket reset when
          // the API server restarts), so a finished response is left alone.
          req.on('error', (error) => {
            if (!response) fail(error);
            else if (!response.readableEnded) response.destroy(error);
          });
          req.end(payload);
        }),
      abort: () => req.destroy(),
    };
  }

  /** One JSON request; any status is returned, only network failures throw. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<KubeResponse<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const { send } = await this.#open(
      method,
      path,
      payload === undefined ? {} : { 'content-type': contentType },
      signal,
    );
    const res = await send(payload);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode ?? 0, body: parsed as T, text };
  }

  /**
   * Streams a watch until the server ends it (its timeoutSeconds), the signal aborts, or it goes
   * idle. Resolves on a clean end; throws KubeHttpError for a non-200 answer, Error otherwise.
   */
  async watch(path: string, options: WatchOptions): Promise<void> {
    const { send, abort } = await this.#open('GET', path, {}, options.signal);
    let idle: NodeJS.Timeout | undefined;
    let idledOut = false;
    const arm = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        idledOut = true;
        abort();
      }, options.idleTimeoutMs);
    };
    arm();
    try {
      const res = await send();
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        for await (const chunk of res) chunks.push(chunk as Buffer);
        throw new KubeHttpError(
          res.statusCode ?? 0,
          `watch ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
        );
      }
      options.onOpen?.();
      let buffered = '';
      for await (const chunk of res) {
        arm();
        buffered += (chunk as Buffer).toString('utf8');
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line !== '') options.onEvent(JSON.parse(line) as WatchEvent);
          newline = buffered.indexOf('\n');
        }
      }
      // A connection cut mid-stream can end the body without an error: a partial line is a cut.
      if (buffered.trim() !== '') throw new Error(`watch ${path}: stream cut mid-event`);
    } catch (error) {
      if (idledOut) throw new Error(`watch ${path}: no data for ${options.idleTimeoutMs} ms`);
      throw error;
    } finally {
      if (idle) clearTimeout(idle);
    }
  }
}
