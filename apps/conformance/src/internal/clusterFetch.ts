// fetch() for the control plane inside the cluster stand-in: a URL naming a Service by its
// cluster DNS name (`http[s]://<service>.<namespace>[:port]/...`) goes to the local server
// standing in for that Service port, with the Host header the URL names, as cluster DNS would send
// it; over HTTPS the server's certificate is verified for that name (with the caller's CA). Used
// for what Envoy Gateway's control plane fetches itself: OpenID provider discovery, Wasm code and
// Wasm images (registry requests with their headers).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Cluster } from './cluster.js';

export const clusterFetch =
  (cluster: Cluster) =>
  (
    url: string,
    init: { signal: AbortSignal; ca?: string | undefined; headers?: Record<string, string> },
  ): Promise<Response> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const https = target.protocol === 'https:';
      if (!https && target.protocol !== 'http:') {
        reject(new Error(`${url}: only http and https are served by the cluster stand-in`));
        return;
      }
      const port = cluster.servicePort(target.hostname, Number(target.port || (https ? 443 : 80)));
      if (port === undefined) {
        reject(new Error(`${url}: ${target.hostname} does not resolve (no such Service)`));
        return;
      }
      const options = {
        host: '127.0.0.1',
        port,
        path: `${target.pathname}${target.search}`,
        headers: { host: target.host, accept: 'application/json', ...init.headers },
        signal: init.signal,
      };
      const onResponse = (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve(
            new Response(Buffer.concat(chunks), {
              status: res.statusCode ?? 0,
              headers: Object.entries(res.headers).flatMap(([name, value]) =>
                value === undefined ? [] : [[name, String(value)] as [string, string]],
              ),
            }),
          ),
        );
        res.on('error', reject);
      };
      const call = https
        ? httpsRequest(
            { ...options, servername: target.hostname, ...(init.ca ? { ca: init.ca } : {}) },
            onResponse,
          )
        : httpRequest(options, onResponse);
      call.on('error', reject);
      call.end();
    });
