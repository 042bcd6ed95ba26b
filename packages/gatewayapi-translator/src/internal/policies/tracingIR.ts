// Request tracing as Envoy Gateway configures it: EnvoyProxy `telemetry.tracing` as the fleet's
// IR tracing (provider, collector destination, service name, sampling, tags, span names), and
// BackendTrafficPolicy `telemetry.tracing` as a route's own sampling, tags and span names.
// Sampling: `samplingFraction` (else `samplingRate`, else 100%) picks requests at random; a client
// asking with `x-client-trace-id` is traced only with `clientSamplingFraction` (default 0: off);
// `overallSamplingFraction` caps both (default 100%).
import type { EnvoyProxy } from '@egts/api';
import type {
  CustomTag,
  DestinationSetting,
  RouteDestination,
  RouteTracing,
  SpanName,
  Tracing,
  XdsIR,
} from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import type { ProxyFleet } from '../ir/fleets.js';
import { resolveBackendRef } from '../routes/backendRefs.js';
import { ENVOY_GATEWAY_GROUP, nsName } from '../types.js';
import { backendRefOf, serviceBackendRefs } from './validation/policyBackendRefs.js';
import { type Obj, obj } from './validation/policyValues.js';

/** The collector's cluster, as Envoy Gateway names it. */
export const TRACING_CLUSTER = 'tracing';

const PROVIDERS = ['OpenTelemetry', 'Zipkin', 'Datadog'] as const;

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

/** A Service by its cluster DNS name: `<service>.<namespace>[.svc[.cluster.local]]`. */
const SERVICE_HOST = /^([a-z0-9-]+)\.([a-z0-9-]+)(\.svc(\.cluster\.local)?)?$/;

/**
 * The collector: the provider's backendRefs (no ReferenceGrant: the EnvoyProxy is the operator's
 * own configuration), or its deprecated `host` and `port` (a Service's DNS name goes to the
 * Service's endpoints, as cluster DNS would). Undefined when a ref does not resolve (the Gateway
 * says so: envoyProxyGatewayProblem).
 */
function collector(
  ctx: TranslatorContext,
  proxy: EnvoyProxy,
  provider: Obj,
  protocol: DestinationSetting['protocol'],
): { destination: RouteDestination; authority: string } | undefined {
  const namespace = proxy.metadata.namespace ?? 'default';
  const self = {
    group: ENVOY_GATEWAY_GROUP,
    kind: 'EnvoyProxy',
    namespace,
    name: proxy.metadata.name,
  };
  const referrer = { ...self, skipReferenceGrant: true, parents: [{ ref: self }] };
  let refs = serviceBackendRefs(provider);
  const host = str(provider.host);
  const port = typeof provider.port === 'number' ? provider.port : 4317;
  if (refs.length === 0 && host !== undefined) {
    const service = SERVICE_HOST.exec(host);
    if (!service || !ctx.services.has(nsName(service[2] ?? '', service[1] ?? '')))
      return {
        authority: host,
        destination: {
          name: TRACING_CLUSTER,
          settings: [
            {
              name: `${TRACING_CLUSTER}/backend/0`,
              weight: 1,
              protocol,
              addressType: /^[0-9.]+$/.test(host) || host.includes(':') ? 'IP' : 'FQDN',
              endpoints: [{ host, port, ready: true }],
            },
          ],
        },
      };
    refs = [{ name: service[1], namespace: service[2], port }];
  }
  const settings: DestinationSetting[] = [];
  for (const [i, ref] of refs.entries()) {
    const resolved = resolveBackendRef(
      ctx,
      referrer,
      backendRefOf(ref, str(ref.name) ?? ''),
      `${TRACING_CLUSTER}/backend/${i}`,
      protocol,
    );
    if (!resolved.setting) return undefined;
    settings.push(resolved.setting);
  }
  const [first] = refs;
  if (first === undefined) return undefined;
  return {
    destination: { name: TRACING_CLUSTER, settings },
    authority: host ?? `${str(first.name)}.${str(first.namespace) ?? namespace}.svc.cluster.local`,
  };
}

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
  const target = collector(ctx, proxy, provider, type === 'OpenTelemetry' ? 'GRPC' : 'HTTP');
  if (target === undefined) return undefined;
  const [gateway] = fleet.gateways;
  const defaultService =
    fleet.merged || gateway === undefined
      ? fleet.gatewayClass
      : `${gateway.name}.${gateway.namespace}`;
  const zipkin = obj(provider.zipkin);
  const headers = (obj(provider.openTelemetry)?.headers as unknown[] | undefined) ?? [];
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
  return tracing === undefined ? ir : { ...ir, tracing };
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
