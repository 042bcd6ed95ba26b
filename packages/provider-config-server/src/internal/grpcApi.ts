// The config server's gRPC API (egts.configserver.v1.ConfigService, proto/egts/configserver/v1):
// the HTTP API's operations over the same ResourceStore, with the same auth and errors as codes.
import { formatFieldPath, formatProblem, type Problem } from '@egts/api';
import {
  Metadata,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import {
  type ApplyResponse,
  type ConfigServiceServer,
  Problems,
} from '../generated/egts/configserver/v1/config_server.js';
import { type Access, type AuthPolicy, authorize, bearerToken } from './auth.js';
import type { ResourceStore, WriteResult } from './resourceStore.js';

export interface GrpcApiContext {
  readonly store: () => ResourceStore;
  readonly auth: AuthPolicy;
  readonly statuses: () => readonly unknown[];
  readonly maxBodyBytes: number;
}

/** Trailer carrying a rejected request's problems as an encoded `Problems` message. */
export const PROBLEMS_TRAILER = 'egts-problems-bin';

const codeOfReason = {
  Invalid: status.INVALID_ARGUMENT,
  Conflict: status.ABORTED,
  NotFound: status.NOT_FOUND,
} as const;

const serviceError = (code: status, details: string, metadata = new Metadata()): ServiceError =>
  Object.assign(new Error(details), { code, details, metadata });

const problemMessage = (problem: Problem) => ({
  severity: problem.severity,
  file: problem.file,
  document: problem.document,
  line: problem.line,
  apiVersion: problem.apiVersion ?? '',
  kind: problem.kind ?? '',
  namespace: problem.namespace ?? '',
  name: problem.name ?? '',
  path: problem.path.map(String),
  field: formatFieldPath(problem.path),
  message: problem.message,
});

const writeError = (result: Extract<WriteResult, { ok: false }>): ServiceError => {
  const metadata = new Metadata();
  if (result.problems.length > 0) {
    metadata.set(
      PROBLEMS_TRAILER,
      Buffer.from(Problems.encode({ items: result.problems.map(problemMessage) }).finish()),
    );
  }
  const lines = [result.message, ...result.problems.map(formatProblem)];
  return serviceError(codeOfReason[result.reason], lines.join('\n'), metadata);
};

const asStruct = (value: unknown): { [key: string]: unknown } =>
  // Struct holds JSON: a round trip drops undefined fields, which Struct cannot carry.
  JSON.parse(JSON.stringify(value)) as { [key: string]: unknown };

const applyResponse = (result: Extract<WriteResult, { ok: true }>): ApplyResponse => ({
  revision: result.revision,
  items: result.items.map((item) => ({ object: asStruct(item) })),
});

export function createGrpcService(context: GrpcApiContext): ConfigServiceServer {
  /** Runs a call after the auth check; any failure becomes the call's error. */
  const guard =
    <Req, Res>(
      access: Access,
      work: (request: Req, store: ResourceStore) => Promise<Res> | Res,
    ): ((call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void) =>
    (call, callback) => {
      run(call, access, () => work(call.request, context.store())).then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error)),
      );
    };

  const run = async <Res>(
    call: { metadata: Metadata; getAuthContext(): { sslPeerCertificate?: unknown } },
    access: Access,
    work: () => Promise<Res> | Res,
  ): Promise<Res> => {
    const header = call.metadata.get('authorization')[0];
    const decision = authorize(
      context.auth,
      {
        token: bearerToken(typeof header === 'string' ? header : undefined),
        // grpc-js only completes the handshake with a verified certificate when it requires one.
        clientCertificateVerified: call.getAuthContext().sslPeerCertificate !== undefined,
      },
      access,
    );
    if (!decision.ok) throw serviceError(status.UNAUTHENTICATED, decision.message);
    return work();
  };

  const write = (result: WriteResult): ApplyResponse => {
    if (!result.ok) throw writeError(result);
    return applyResponse(result);
  };

  return {
    apply: guard('write', async (request, store) =>
      write(await store.apply(request.manifest, { source: '<grpc Apply>' })),
    ),
    applyStream: (call: ServerReadableStream<{ manifest: string }, ApplyResponse>, callback) => {
      const chunks: string[] = [];
      let size = 0;
      let failed = false;
      call.on('data', (chunk: { manifest: string }) => {
        size += Buffer.byteLength(chunk.manifest);
        if (size > context.maxBodyBytes && !failed) {
          failed = true;
          callback(
            serviceError(status.RESOURCE_EXHAUSTED, `manifest over ${context.maxBodyBytes} bytes`),
          );
        }
        chunks.push(chunk.manifest);
      });
      call.on('error', () => {
        failed = true;
      });
      call.on('end', () => {
        if (failed) return;
        run(call, 'write', async () =>
          write(await context.store().apply(chunks.join(''), { source: '<grpc ApplyStream>' })),
        ).then(
          (response) => callback(null, response),
          (error: unknown) => callback(toServiceError(error)),
        );
      });
    },
    replaceAll: guard('write', async (request, store) =>
      write(
        await store.apply(request.manifest, {
          source: '<grpc ReplaceAll>',
          replaceAll: true,
          revision: request.revision,
        }),
      ),
    ),
    get: guard('read', (request, store) => {
      const resource = store.get({
        kind: request.kind,
        namespace: request.namespace || undefined,
        name: request.name,
      });
      if (resource === undefined) throw serviceError(status.NOT_FOUND, 'no such resource');
      return { object: asStruct(resource) };
    }),
    list: guard('read', (request, store) => ({
      revision: store.revision,
      items: store
        .list({ kind: request.kind || undefined, namespace: request.namespace || undefined })
        .map((item) => ({ object: asStruct(item) })),
    })),
    delete: guard('write', async (request, store) => {
      if (request.key === undefined) {
        throw serviceError(status.INVALID_ARGUMENT, 'key is required');
      }
      const result = await store.delete(
        {
          kind: request.key.kind,
          namespace: request.key.namespace || undefined,
          name: request.key.name,
        },
        request.resourceVersion,
      );
      if (!result.ok) throw writeError(result);
      return { revision: result.revision };
    }),
    statuses: guard('read', () => ({ items: context.statuses().map(asStruct) })),
  };
}

function toServiceError(error: unknown): ServiceError {
  if (error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number') {
    return error as ServiceError;
  }
  return serviceError(status.INTERNAL, error instanceof Error ? error.message : String(error));
}
