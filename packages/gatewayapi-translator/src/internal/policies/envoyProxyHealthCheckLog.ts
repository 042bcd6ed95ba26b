// EnvoyProxy `telemetry.healthCheckLog`: the fleet's default health check event log, written by
// every active health check of an xRoute-backed cluster (route and mirror destinations, and the
// access log and tracing backends) that has no `healthCheckLog` of its own, as Envoy Gateway
// applies it; a BackendTrafficPolicy's or a telemetry backend's own one wins. Technical backends
// (ext-auth, ext-proc, JWKS, OIDC) take only their own, as in Envoy Gateway
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/core/v3/health_check.proto#envoy-v3-api-field-config-core-v3-healthcheck-event-logger).
import type { EnvoyProxy } from '@egts/api';
import type { AccessLogSink, ActiveHealthCheck, RouteDestination, XdsIR } from '@egts/ir';
import { healthCheckLog } from './backendTrafficIR.js';
import { obj } from './validation/policyValues.js';

type EventLog = NonNullable<ActiveHealthCheck['eventLog']>;

/** `destination` logging its health check events to `log` unless it logs them already. */
const logged = (destination: RouteDestination, log: EventLog): RouteDestination => {
  const active = destination.healthCheck?.active;
  if (active === undefined || active.eventLog !== undefined) return destination;
  return {
    ...destination,
    healthCheck: { ...destination.healthCheck, active: { ...active, eventLog: log } },
  };
};

const withLoggedSink = (sink: AccessLogSink, log: EventLog): AccessLogSink => ({
  ...sink,
  ...(sink.openTelemetry
    ? {
        openTelemetry: {
          ...sink.openTelemetry,
          destination: logged(sink.openTelemetry.destination, log),
        },
      }
    : {}),
  ...(sink.als ? { als: { ...sink.als, destination: logged(sink.als.destination, log) } } : {}),
});

/** `ir` with the EnvoyProxy's health check event log on every xRoute-backed active health check. */
export function withHealthCheckLog(ir: XdsIR, proxy: EnvoyProxy | undefined): XdsIR {
  const log = healthCheckLog(
    obj(obj(obj((proxy as { spec?: unknown } | undefined)?.spec)?.telemetry)?.healthCheckLog),
  );
  if (log === undefined) return ir;
  const orNot = <T extends { destination?: RouteDestination | undefined }>(route: T): T =>
    route.destination ? { ...route, destination: logged(route.destination, log) } : route;
  return {
    ...ir,
    http: ir.http.map((l) => ({
      ...l,
      routes: l.routes.map((route) => ({ ...orNot(route), mirrors: route.mirrors.map(orNot) })),
    })),
    tcp: ir.tcp.map((l) => ({ ...l, routes: l.routes.map(orNot) })),
    udp: ir.udp.map((l) => (l.route ? { ...l, route: orNot(l.route) } : l)),
    ...(ir.accessLog
      ? {
          accessLog: {
            ...ir.accessLog,
            sinks: ir.accessLog.sinks.map((s) => withLoggedSink(s, log)),
          },
        }
      : {}),
    ...(ir.tracing
      ? { tracing: { ...ir.tracing, destination: logged(ir.tracing.destination, log) } }
      : {}),
  };
}
