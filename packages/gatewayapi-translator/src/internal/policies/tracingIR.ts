// Request tracing as Envoy Gateway configures it: EnvoyProxy `telemetry.tracing` as the fleet's
// IR tracing (provider, collector destination, service name, sampling, tags, span names), and
// BackendTrafficPolicy `telemetry.tracing` as a route's own sampling, tags and span names.
// Sampling: `samplingFraction` (else `samplingRate`, else 100%) picks requests at random; a client
// asking with `x-client-trace-id` is traced only with `clientSamplingFraction` (default 0: off);
// `overallSamplingFraction` caps both (default 100%).
import type { EnvoyProxy } from '@egts/api';
import type { CustomTag, RouteTracing, SpanName, Tracing, XdsIR } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import type { ProxyFleet } from '../ir/fleets.js';
import { telemetryBackend } from './telemetryBackend.js';
import { type Obj, obj } from './validation/policyValues.js';

/** The collector's cluster, as Envoy Gateway names it. */
export const TRACING_CLUSTER = 'tracing';

const PROVIDERS = ['OpenTelemetry', 'Zipkin', 'Datadog'] as const;

const SAMPLERS = [
  'AlwaysOn',
  'AlwaysOff',
  'TraceIdRatio',
  'ParentBasedAlwaysOn',
  'ParentBasedAlwaysOff',
  'ParentBasedTraceIdRatio',
] as const;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A `{numerator, denominator}` fraction in percent; undefined when not set. */
const percent = (fraction: Obj | undefined): number | undefined => {
  if (typeof fraction?.numerator !== 'number') return undefined;
  const denominator = typeof fraction.denominator === 'number' ? fraction.denominator : 100;
  return Math.min(100, (fraction.numerator / denominator) * 100);
};

/**
 * The tags of `customTags` (typed, deprecated) and `tags` (format strings), sorted by name; a
 * name in both takes its `tags` value.
 */
const customTags = (tracing: Obj): CustomTag[] => {
  const byTag = new Map<string, CustomTag>();
  for (const [tag, raw] of Object.entries(obj(tracing.customTags) ?? {})) {
    const spec = obj(raw);
    const environment = obj(spec?.environment);
    const header = obj(spec?.requestHeader);
    const type = str(spec?.type) ?? 'Literal';
    if (type === 'Literal') byTag.set(tag, { tag, literal: str(obj(spec?.literal)?.value) ?? '' });
    else if (type === 'Environment' && environment)
      byTag.set(tag, {
        tag,
        environment: {
          name: str(environment.name) ?? '',
          defaultValue: str(environment.defaultValue) ?? '',
        },
      });
    else if (type === 'RequestHeader' && header)
      byTag.set(tag, {
        tag,
        requestHeader: {
          name: str(header.name) ?? '',
          defaultValue: str(header.defaultValue) ?? '',
        },
      });
  }
  for (const [tag, value] of Object.entries(obj(tracing.tags) ?? {}))
    if (typeof value === 'string') byTag.set(tag, { tag, value });
  return [...byTag.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
};

const spanName = (tracing: Obj): SpanName | undefined => {
  const name = obj(tracing.spanName);
  const client = str(name?.client);
  const server = str(name?.server);
  return client !== undefined && server !== undefined ? { client, server } : undefined;
};

/** The fleet's tracing from its EnvoyProxy, or undefined when it asks for none. */
export function tracingIR(
  ctx: TranslatorContext,
  proxy: EnvoyProxy | undefined,
  fleet: ProxyFleet,
): Tracing | undefined {
  const tracing = obj(
    obj(obj((proxy as { spec?: unknown } | undefined)?.spec)?.telemetry)?.tracing,
  );
  const provider = obj(tracing?.provider);
  if (!proxy || !tracing || !provider) return undefined;
  const type = PROVIDERS.find((p) => p === (str(provider.type) ?? 'OpenTelemetry'));
  if (type === undefined) return undefined;
  const target = telemetryBackend(
    ctx,
    proxy,
    provider,
    TRACING_CLUSTER,
    type === 'OpenTelemetry' ? 'GRPC' : 'HTTP',
  );
  if (target === undefined) return undefined;
  const [gateway] = fleet.gateways;
  const defaultService =
    fleet.merged || gateway === undefined
      ? fleet.gatewayClass
      : `${gateway.name}.${gateway.namespace}`;
  const zipkin = obj(provider.zipkin);
  const otel = obj(provider.openTelemetry);
  const headers = (otel?.headers as unknown[] | undefined) ?? [];
  const resourceAttributes = Object.fromEntries(
    Object.entries(obj(otel?.resourceAttributes) ?? {})
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const sampler = obj(otel?.sampler);
  const samplerType = SAMPLERS.find((s) => s === str(sampler?.type));
  const rate = typeof tracing.samplingRate === 'number' ? tracing.samplingRate : 100;
  const span = spanName(tracing);
  return {
    provider: type,
    ...target,
    serviceName: str(provider.serviceName) ?? defaultService,
    sampling: {
      random: percent(obj(tracing.samplingFraction)) ?? rate,
      client: percent(obj(tracing.clientSamplingFraction)) ?? 0,
      overall: percent(obj(tracing.overallSamplingFraction)) ?? 100,
    },
    customTags: customTags(tracing),
    ...(span ? { spanName: span } : {}),
    ...(type === 'Zipkin'
      ? {
          zipkin: {
            traceId128Bit: zipkin?.enable128BitTraceId === true,
            sharedSpanContext: zipkin?.disableSharedSpanContext !== true,
          },
        }
      : {}),
    ...(type === 'OpenTelemetry' && Object.keys(resourceAttributes).length > 0
      ? { resourceAttributes }
      : {}),
    ...(type === 'OpenTelemetry' && samplerType !== undefined
      ? {
          sampler: {
            type: samplerType,
            percent: percent(obj(sampler?.samplingPercentage)) ?? 100,
          },
        }
      : {}),
    ...(type === 'OpenTelemetry' && headers.length > 0
      ? {
          headers: headers.flatMap((h) => {
            const header = obj(h);
            const name = str(header?.name);
            return name ? [{ name, value: str(header?.value) ?? '' }] : [];
          }),
        }
      : {}),
  };
}

/** The IR with the fleet's tracing, when its EnvoyProxy asks for it. */
export function withTracing(
  ctx: TranslatorContext,
  ir: XdsIR,
  proxy: EnvoyProxy | undefined,
  fleet: ProxyFleet,
): XdsIR {
  const tracing = tracingIR(ctx, proxy, fleet);
  if (tracing === undefined) return ir;
  // Envoy takes a route's absent sampling share as 100%, not the connection manager's: a route's
  // policy keeps the fleet's shares it does not set.
  const http = ir.http.map((listener) =>
    listener.routes.some((route) => route.tracing?.sampling)
      ? {
          ...listener,
          routes: listener.routes.map((route) =>
            route.tracing?.sampling
              ? {
                  ...route,
                  tracing: {
                    ...route.tracing,
                    sampling: { ...tracing.sampling, ...route.tracing.sampling },
                  },
                }
              : route,
          ),
        }
      : listener,
  );
  return { ...ir, http, tracing };
}

/** A route's own tracing (BackendTrafficPolicy `telemetry.tracing`), or undefined. */
export function routeTracing(tracing: Obj | undefined): RouteTracing | undefined {
  if (!tracing) return undefined;
  const random = percent(obj(tracing.samplingFraction));
  const client = percent(obj(tracing.clientSamplingFraction));
  const overall = percent(obj(tracing.overallSamplingFraction));
  const sampling = {
    ...(random === undefined ? {} : { random }),
    ...(client === undefined ? {} : { client }),
    ...(overall === undefined ? {} : { overall }),
  };
  const tags = customTags(tracing);
  const span = spanName(tracing);
  const out: RouteTracing = {
    ...(Object.keys(sampling).length > 0 ? { sampling } : {}),
    ...(tags.length > 0 ? { customTags: tags } : {}),
    ...(span ? { spanName: span } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}
