// fetch() for the control plane inside the cluster stand-in: a URL naming a Service by its
// cluster DNS name (`http://<service>.<namespace>[:port]/...`) goes to the local server standing in
// for that Service port, with the Host header the URL names, as cluster DNS would send it. Used
// for what Envoy Gateway's control plane fetches itself (OpenID provider discovery).
import { request } from 'node:http';
import type { Cluster } from './cluster.js';

export const clusterFetch =
  (cluster: Cluster) =>
  (url: string, init: { signal: AbortSignal }): Promise<Response> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== 'http:') {
        reject(new Error(`${url}: only http is served by the cluster stand-in`));
        return;
      }
      const port = cluster.servicePort(target.hostname, Number(target.port || 80));
      if (port === undefined) {
        reject(new Error(`${url}: ${target.hostname} does not resolve (no such Service)`));
        return;
      }
      const call = request(
        {
          host: '127.0.0.1',
          port,
          path: `${target.pathname}${target.search}`,
          headers: { host: target.host, accept: 'application/json' },
          signal: init.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })),
          );
          res.on('error', reject);
        },
      );
      call.on('error', reject);
      call.end();
    });
