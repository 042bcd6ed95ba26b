// The Wasm cache's fetch inside the cluster stand-in: plain HTTP as clusterFetch.ts, and HTTPS
// to a Service by its cluster DNS name, reaching the local server behind that Service port while
// verifying its certificate for the name the URL gives (with the source's CA).
import { request } from 'node:https';
import type { WasmFetch } from '@egts/infra-manager';
import type { Cluster } from './cluster.js';
import { clusterFetch } from './clusterFetch.js';

export const clusterWasmFetch = (cluster: Cluster): WasmFetch => {
  const plain = clusterFetch(cluster);
  return (url, init) => {
    const target = new URL(url);
    if (target.protocol !== 'https:') return plain(url, init);
    return new Promise((resolve, reject) => {
      const port = cluster.servicePort(target.hostname, Number(target.port || 443));
      if (port === undefined) {
        reject(new Error(`${url}: ${target.hostname} does not resolve (no such Service)`));
        return;
      }
      const call = request(
        {
          host: '127.0.0.1',
          port,
          servername: target.hostname,
          path: `${target.pathname}${target.search}`,
          headers: { host: target.host },
          signal: init.signal,
          ...(init.ca ? { ca: init.ca } : {}),
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
  };
};
