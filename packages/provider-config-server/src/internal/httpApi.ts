// The config server's HTTP API on node:http(s): a handful of routes over the ResourceStore, JSON
// out, YAML/JSON in. node:http rather than a framework: seven routes need no router, and the same
// request handler serves plain HTTP and HTTPS with required client certificates (mTLS).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { formatFieldPath, type Problem } from '@egts/api';
import { type Access, type AuthPolicy, authorize, bearerToken } from './auth.js';
import { manifestText } from './manifest.js';
import type { ResourceKey, ResourceStore, WriteResult } from './resourceStore.js';

export interface HttpApiContext {
  readonly store: () => ResourceStore;
  readonly auth: AuthPolicy;
  readonly statuses: () => readonly unknown[];
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
}

/** A path segment, percent-decoded; a malformed escape (`%E0%A4%A`) is the client's error. */
const decodePathPart = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, 'BadRequest', `malformed percent-encoding in path segment ${part}`);
  }
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** A problem as the API returns it: the loader's fields plus `field`, the path as kubectl names it. */
export const problemJson = (problem: Problem) => ({
  ...problem,
  field: formatFieldPath(problem.path),
});

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
};

const statusOfReason = { Invalid: 422, Conflict: 409, NotFound: 404 } as const;

const sendWrite = (res: ServerResponse, result: WriteResult, created = false): void => {
  if (result.ok) {
    send(res, created ? 201 : 200, { revision: result.revision, items: result.items });
    return;
  }
  send(res, statusOfReason[result.reason], {
    reason: result.reason,
    message: result.message,
    problems: result.problems.map(problemJson),
  });
};

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'TooLarge', `request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `/v1/resources/{kind}/{name}` (cluster-scoped) or `/v1/resources/{kind}/{namespace}/{name}`. */
function keyOfPath(parts: string[]): ResourceKey | undefined {
  if (parts.length === 2) return { kind: parts[0]!, name: parts[1]! };
  if (parts.length === 3) return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  return undefined;
}

export function createHttpHandler(
  context: HttpApiContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://config-server');
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz') {
      send(res, 200, { ok: true });
      return;
    }
    const access: Access = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
    const decision = authorize(
      context.auth,
      {
        token: bearerToken(req.headers.authorization),
        clientCertificateVerified: (req.socket as Partial<TLSSocket>).authorized === true,
      },
      access,
    );
    if (!decision.ok) {
      res.setHeader('www-authenticate', 'Bearer realm="egts"');
      throw new HttpError(401, 'Unauthorized', decision.message);
    }
    const store = context.store();
    const parts = url.pathname.split('/').filter((part) => part !== '');
    const param = (name: string) => url.searchParams.get(name) ?? undefined;
    const source = `<${method} ${url.pathname}>`;

    if (parts[0] === 'v1' && parts[1] === 'statuses' && parts.length === 2) {
      if (method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'use GET');
      send(res, 200, { items: context.statuses() });
      return;
    }
    if (parts[0] !== 'v1' || parts[1] !== 'resources') {
      throw new HttpError(404, 'NotFound', `no route ${url.pathname}`);
    }
    const decoded = parts.slice(2).map(decodePathPart);
    if (decoded.length === 0) {
      switch (method) {
        case 'GET':
          send(res, 200, {
            revision: store.revision,
            items: store.list({ kind: param('kind'), namespace: param('namespace') }),
          });
          return;
        case 'POST': {
          const text = manifestText(
            await readBody(req, context.maxBodyBytes),
            req.headers['content-type'],
          );
          sendWrite(res, await store.apply(text, { source }));
          return;
        }
        case 'PUT': {
          const text = manifestText(
            await readBody(req, context.maxBodyBytes),
            req.headers['content-type'],
          );
          sendWrite(
            res,
            await store.apply(text, { source, replaceAll: true, revision: param('revision') }),
          );
          return;
        }
        default:
          throw new HttpError(405, 'MethodNotAllowed', 'use GET, POST or PUT');
      }
    }
    const key = keyOfPath(decoded);
    if (key === undefined) throw new HttpError(404, 'NotFound', `no route ${url.pathname}`);
    switch (method) {
      case 'GET': {
        const resource = store.get(key);
        if (resource === undefined) throw new HttpError(404, 'NotFound', 'no such resource');
        send(res, 200, resource);
        return;
      }
      case 'PUT': {
        const existed = store.get(key) !== undefined;
        const text = manifestText(
          await readBody(req, context.maxBodyBytes),
          req.headers['content-type'],
        );
        const result = await store.apply(text, { source, expect: key });
        if (result.ok && result.items.length === 1) {
          send(res, existed ? 200 : 201, result.items[0]);
          return;
        }
        sendWrite(res, result);
        return;
      }
      case 'DELETE':
        sendWrite(res, await store.delete(key, param('resourceVersion')));
        return;
      default:
        throw new HttpError(405, 'MethodNotAllowed', 'use GET, PUT or DELETE');
    }
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        send(res, error.status, { reason: error.reason, message: error.message });
        return;
      }
      send(res, 500, {
        reason: 'InternalError',
        message: error instanceof Error ? error.message : String(error),
      });
    });
  };
}
