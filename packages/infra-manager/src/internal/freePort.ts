// Finds a free TCP port on 127.0.0.1 for a proxy's admin interface: one reserved below the
// kernel's ephemeral range (@egts/envoy-binary's freePort), or the first free one from a base port
// upwards.

import { createServer } from 'node:net';
import { freePort as reservedPort } from '@egts/envoy-binary';

const tryListen = (port: number): Promise<number | undefined> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });

/** A port nobody listens on now and not in `taken`; from `base` upwards when given. */
export const freePort = async (taken: ReadonlySet<number>, base?: number): Promise<number> => {
  if (base === undefined) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await reservedPort();
      if (!taken.has(port)) return port;
    }
    throw new Error('no free port on 127.0.0.1');
  }
  for (let port = base; port <= 65535; port++) {
    if (taken.has(port)) continue;
    if ((await tryListen(port)) !== undefined) return port;
  }
  throw new Error(`no free port on 127.0.0.1 from ${base}`);
};

/** Whether `port` can be bound on 127.0.0.1 now. */
export const isFree = async (port: number): Promise<boolean> =>
  (await tryListen(port)) !== undefined;
