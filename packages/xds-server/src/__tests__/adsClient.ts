// A scripted ADS client for protocol tests: send requests, await responses one by one.
import { Node } from '@egts/envoy-api';
import { AggregatedDiscoveryServiceClient } from '@egts/envoy-api/services';
import { type ClientDuplexStream, credentials } from '@grpc/grpc-js';

export interface ScriptedStream<Req, Res> {
  send(request: Partial<Req>): void;
  /** The next response; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<Res>;
  /** Resolves when no response arrives for `ms`; rejects with the response otherwise. */
  none(ms?: number): Promise<void>;
  close(): void;
  /** Resolves when the server ends the stream: `error <code>` or `end`. */
  readonly ended: Promise<string>;
}

const script = <Req, Res>(
  stream: ClientDuplexStream<Req, Res>,
  fill: (request: Partial<Req>) => Req,
): ScriptedStream<Req, Res> => {
  const queue: Res[] = [];
  let waiter: ((response: Res) => void) | undefined;
  stream.on('data', (response: Res) => {
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(response);
    } else queue.push(response);
  });
  const ended = new Promise<string>((resolve) => {
    stream.on('error', (error: Error & { code?: number }) => resolve(`error ${error.code}`));
    stream.on('end', () => resolve('end'));
  });
  const next = (timeoutMs = 30_000): Promise<Res> => {
    const queued = queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiter = undefined;
        reject(new Error(`no response in ${timeoutMs} ms`));
      }, timeoutMs);
      waiter = (response) => {
        clearTimeout(timer);
        resolve(response);
      };
    });
  };
  return {
    send: (request) => stream.write(fill(request)),
    next,
    none: async (ms = 300) => {
      const got = await next(ms).catch(() => undefined);
      if (got !== undefined) throw new Error(`unexpected response: ${JSON.stringify(got)}`);
    },
    close: () => stream.cancel(),
    ended,
  };
};

export const adsClient = (port: number) =>
  new AggregatedDiscoveryServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());

export const node = (id: string, cluster = 'gateway-1'): Node => Node.fromPartial({ id, cluster });

export { script };
