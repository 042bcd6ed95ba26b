// A local stand-in for Envoy Gateway's e2e preserve-case backend (a fasthttp server): answers
// with the request's headers as JSON keyed by their names as written on the wire, and sets the
// response headers named in the `headers` query parameter, so a test sees whether the header
// case survived the proxy in both directions.
import { createServer } from 'node:http';
import type { StandInServer } from './cluster.js';
import { listenLocally } from './listenLocally.js';

export const startPreserveCaseServer = (): Promise<StandInServer> =>
  listenLocally(
    createServer((req, res) => {
      const headers: Record<string, string> = {};
      // rawHeaders keeps names as received: [name, value, name, value, ...].
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
        headers[req.rawHeaders[i] as string] = req.rawHeaders[i + 1] as string;
      const query = new URL(req.url ?? '/', 'http://backend').searchParams;
      for (const names of query.getAll('headers'))
        for (const name of names.split(',')) if (name) res.setHeader(name, 'value');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(headers));
    }),
  );
