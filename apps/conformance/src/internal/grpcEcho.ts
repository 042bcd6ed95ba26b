// A local stand-in for echo-basic's gRPC mode (GRPC_ECHO_SERVER): the GrpcEcho service of
// gateway_api_conformance.echo_basic.grpcecho answers Echo and EchoTwo with the method, metadata
// and :authority it got and the pod that answered; EchoThree is unimplemented. Also the client
// the tests call it with. The messages are small enough to encode by hand (protobuf wire format).
import {
  type CallOptions,
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';

export const GRPC_ECHO_SERVICE = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';

export interface GrpcAssertions {
  fullyQualifiedMethod: string;
  headers: Array<{ key: string; value: string }>;
  authority: string;
  context: { namespace: string; ingress: string; serviceName: string; pod: string };
}

// --- protobuf wire format: length-delimited fields (strings, messages) are all these use.
const varint = (n: number): Buffer => {
  const bytes: number[] = [];
  let value = n;
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return Buffer.from(bytes);
};
const field = (tag: number, payload: Buffer): Buffer =>
  Buffer.concat([varint((tag << 3) | 2), varint(payload.length), payload]);
const str = (tag: number, value: string): Buffer =>
  value === '' ? Buffer.alloc(0) : field(tag, Buffer.from(value));

/** The length-delimited fields of a message, by tag, in order. */
const fields = (buf: Buffer): Array<[number, Buffer]> => {
  const out: Array<[number, Buffer]> = [];
  let at = 0;
  const read = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[at++]!;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  };
  while (at < buf.length) {
    const key = read();
    const wire = key & 7;
    if (wire === 0) {
      read();
      continue;
    }
    if (wire !== 2) throw new Error(`unexpected protobuf wire type ${wire}`);
    const length = read();
    out.push([key >>> 3, buf.subarray(at, at + length)]);
    at += length;
  }
  return out;
};

const encodeResponse = (a: GrpcAssertions): Buffer => {
  const context = Buffer.concat([
    str(1, a.context.namespace),
    str(2, a.context.ingress),
    str(3, a.context.serviceName),
    str(4, a.context.pod),
  ]);
  const assertions = Buffer.concat([
    str(1, a.fullyQualifiedMethod),
    ...a.headers.map((h) => field(2, Buffer.concat([str(1, h.key), str(2, h.value)]))),
    str(3, a.authority),
    field(4, context),
  ]);
  return Buffer.concat([field(1, assertions), field(2, Buffer.alloc(0))]);
};

export const decodeResponse = (buf: Buffer): GrpcAssertions => {
  const a: GrpcAssertions = {
    fullyQualifiedMethod: '',
    headers: [],
    authority: '',
    context: { namespace: '', ingress: '', serviceName: '', pod: '' },
  };
  for (const [tag, assertions] of fields(buf)) {
    if (tag !== 1) continue;
    for (const [t, v] of fields(assertions)) {
      if (t === 1) a.fullyQualifiedMethod = v.toString();
      else if (t === 3) a.authority = v.toString();
      else if (t === 2) {
        const header = { key: '', value: '' };
        for (const [ht, hv] of fields(v)) {
          if (ht === 1) header.key = hv.toString();
          if (ht === 2) header.value = hv.toString();
        }
        a.headers.push(header);
      } else if (t === 4) {
        const names = ['', 'namespace', 'ingress', 'serviceName', 'pod'] as const;
        for (const [ct, cv] of fields(v)) {
          const name = names[ct];
          if (name) a.context[name] = cv.toString();
        }
      }
    }
  }
  return a;
};

const identity = (b: Buffer): Buffer => b;
const method = (name: string) => ({
  path: `/${GRPC_ECHO_SERVICE}/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});

export interface GrpcEchoServer {
  readonly port: number;
  close(): Promise<void>;
}

/** With `tls`, the server speaks gRPC over TLS with that certificate (TLS_SERVER_CERT). */
export const startGrpcEchoServer = async (
  namespace: string,
  pod: string,
  tls?: { cert: string; key: string },
): Promise<GrpcEchoServer> => {
  const server = new Server();
  const definition: ServiceDefinition = {
    Echo: method('Echo'),
    EchoTwo: method('EchoTwo'),
    EchoThree: method('EchoThree'),
  };
  const echo =
    (name: string) => (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const headers: Array<{ key: string; value: string }> = [];
      let authority = '';
      for (const [key, values] of Object.entries(call.metadata.getMap())) {
        const value = String(values);
        if (key === ':authority') authority = value;
        headers.push({ key, value });
      }
      // grpc-js keeps :authority out of the metadata map; echo-basic lists it among the headers.
      authority ||= call.getHost();
      if (!headers.some((h) => h.key === ':authority'))
        headers.push({ key: ':authority', value: authority });
      callback(
        null,
        encodeResponse({
          fullyQualifiedMethod: `/${GRPC_ECHO_SERVICE}/${name}`,
          headers,
          authority,
          context: { namespace, ingress: '', serviceName: '', pod },
        }),
      );
    };
  server.addService(definition, {
    Echo: echo('Echo'),
    EchoTwo: echo('EchoTwo'),
    EchoThree: (_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) =>
      callback({ code: status.UNIMPLEMENTED, details: 'EchoThree is not implemented' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      tls
        ? ServerCredentials.createSsl(
            null,
            [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
            false,
          )
        : ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        setTimeout(() => server.forceShutdown(), 1_000).unref();
      }),
  };
};

export interface GrpcResult {
  readonly code: number;
  readonly assertions?: GrpcAssertions;
}

/** One unary call over plaintext HTTP/2 with `authority` as :authority. */
export const callGrpcEcho = (
  port: number,
  methodName: string,
  authority: string | undefined,
  metadata: Readonly<Record<string, string>> = {},
  timeoutMs = 3_000,
): Promise<GrpcResult> =>
  new Promise((resolve) => {
    const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
      ...(authority ? { 'grpc.default_authority': authority } : {}),
    });
    const md = new Metadata();
    for (const [key, value] of Object.entries(metadata)) md.set(key.toLowerCase(), value);
    const options: CallOptions = { deadline: Date.now() + timeoutMs };
    client.makeUnaryRequest(
      `/${GRPC_ECHO_SERVICE}/${methodName}`,
      identity,
      identity,
      Buffer.alloc(0),
      md,
      options,
      (error, response) => {
        client.close();
        if (error) resolve({ code: error.code ?? status.UNKNOWN });
        else resolve({ code: status.OK, assertions: decodeResponse(response!) });
      },
    );
  });
