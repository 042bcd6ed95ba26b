// Stand-in for Envoy Gateway's e2e image gateway-backend-utilization: echo-basic that reports its
// load to Envoy with the CPU utilization its Deployment sets in ORCA_CPU_UTILIZATION, in every
// response as an ORCA load report in the `endpoint-load-metrics` header (TEXT form,
// https://github.com/envoyproxy/envoy/blob/main/source/common/orca/orca_parser.h) unless
// ORCA_INBAND is "false", and out of band on its `orca-grpc` container port (3001) when the
// Deployment declares it: xds.service.orca.v3.OpenRcaService, served by grpc-js's
// ServerMetricRecorder. Client-side weighted round robin weighs an endpoint by its request rate
// over its utilization; the rate reported is the same for every endpoint, so the utilizations
// alone set the weights.
// An out-of-band reporter is reached on the endpoint's address at that fixed port, so such a pod
// gets a loopback address of its own (127.0.4.N, where its EndpointSlice points): its echo is
// forwarded there from 127.0.0.1, where the harness's other paths (cluster DNS) reach it.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Server as GrpcServer, ServerCredentials, ServerMetricRecorder } from '@grpc/grpc-js';
import type { KubeObject } from '../conformanceTest.js';
import type { StandInServer } from './cluster.js';
import { startEchoServer } from './echoServer.js';

/** The container port the image serves OpenRcaService on. */
const ORCA_CONTAINER_PORT = 3001;
/** Requests per second every pod reports (any fixed figure: the utilizations decide). */
const REPORTED_RPS = 10;

type Container = {
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort?: number }[];
};

const containerOf = (deployment: KubeObject): Container | undefined =>
  (deployment.spec?.template as { spec?: { containers?: Container[] } } | undefined)?.spec
    ?.containers?.[0];

const envValue = (deployment: KubeObject, name: string): string | undefined =>
  containerOf(deployment)?.env?.find((e) => e.name === name)?.value;

/** Pods given addresses of their own so far (127.0.4.1, .2, ...). */
let podAddresses = 0;

/** Connections to `address`:`port` forwarded to 127.0.0.1:`target`. */
const forward = (address: string, port: number, target: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      const upstream = createConnection(target, '127.0.0.1');
      for (const s of [socket, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          socket.destroy();
          upstream.destroy();
        });
      }
      socket.pipe(upstream).pipe(socket);
    });
    server.on('close', () => {
      for (const s of sockets) s.destroy();
    });
    server.once('error', reject);
    server.listen(port, address, () => resolve(server));
  });

/** OpenRcaService on `address`:`port`, reporting CPU utilization `cpu`. */
const startOrcaService = async (address: string, port: number, cpu: number) => {
  const server = new GrpcServer();
  const recorder = new ServerMetricRecorder();
  recorder.setCpuUtilizationMetric(cpu);
  recorder.setQpsMetric(REPORTED_RPS);
  recorder.addToServer(server);
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`${address}:${port}`, ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  return server;
};

export const startOrcaBackend = async (
  namespace: string,
  pod: string,
  deployment: KubeObject,
): Promise<StandInServer> => {
  const cpu = Number(envValue(deployment, 'ORCA_CPU_UTILIZATION') ?? '0.5');
  const inBand = envValue(deployment, 'ORCA_INBAND') !== 'false';
  const echo = await startEchoServer(
    namespace,
    pod,
    undefined,
    inBand
      ? [['endpoint-load-metrics', `TEXT cpu_utilization=${cpu}, rps_fractional=${REPORTED_RPS}`]]
      : [],
  );
  const outOfBand = containerOf(deployment)?.ports?.some(
    (p) => p.containerPort === ORCA_CONTAINER_PORT,
  );
  if (!outOfBand) return echo;
  podAddresses = (podAddresses % 250) + 1;
  const address = `127.0.4.${podAddresses}`;
  const forwarder = await forward(address, echo.port, echo.port);
  const orca = await startOrcaService(address, ORCA_CONTAINER_PORT, cpu);
  return {
    ...echo,
    address,
    close: async () => {
      orca.forceShutdown();
      await new Promise((resolve) => forwarder.close(resolve));
      await echo.close();
    },
  };
};
