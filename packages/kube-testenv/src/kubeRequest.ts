// A minimal authenticated JSON request to a kube-apiserver, for test set-up and assertions (the
// code under test uses its own client).
import { request as httpsRequest } from 'node:https';

export interface KubeConnection {
  readonly server: string;
  readonly token: string;
  /** PEM of the API server's serving CA. */
  readonly ca: string;
}

export interface KubeResponse {
  readonly status: number;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly json: unknown;
}

export type KubeRequest = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<KubeResponse>;

export const kubeRequest = (
  connection: KubeConnection,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<KubeResponse> =>
  new Promise((done, fail) => {
    const url = new URL(path, connection.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpsRequest(
      url,
      {
        method,
        ca: connection.ca,
        headers: {
          authorization: `Bearer ${connection.token}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          done({ status: res.statusCode ?? 0, text, json });
        });
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', fail);
    req.end(payload);
  });
