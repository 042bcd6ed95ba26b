// EnvoyProxy settings Envoy Gateway rejects. Some are wrong on their own (a sink whose type has
// no settings): the GatewayClass or Gateway that names the EnvoyProxy gets Accepted False,
// reason InvalidParameters, as does the EnvoyProxy's ancestor entry. Others only show when a
// Gateway's proxy is built (an access log CEL match that does not parse, a telemetry backend
// that does not resolve): that Gateway gets InvalidParameters.
import type { EnvoyProxy } from '@egts/api';
import type { TranslatorContext } from '../../context/translatorContext.js';
import { resolveBackendRef } from '../../routes/backendRefs.js';
import { ENVOY_GATEWAY_GROUP } from '../../types.js';
import { registeredModule } from '../dynamicModules.js';
import { bootstrapOverride } from './envoyProxyBootstrap.js';
import { backendRefOf, serviceBackendRefs } from './policyBackendRefs.js';
import { byteSizeProblem, list, type Obj, obj } from './policyValues.js';

/** The settings field each sink type needs. */
const SINK_FIELD: Record<string, string> = {
  File: 'file',
  ALS: 'als',
  OpenTelemetry: 'openTelemetry',
};

const telemetryOf = (proxy: EnvoyProxy) => obj(obj((proxy as { spec?: unknown }).spec)?.telemetry);

function sinkProblem(field: string, sinks: Obj[]): string | undefined {
  for (const [i, sink] of sinks.entries()) {
    const needs = SINK_FIELD[String(sink.type)];
    if (needs && !obj(sink[needs]))
      return `${field}[${i}]: a ${String(sink.type)} sink needs ${needs}`;
  }
  return undefined;
}

/** Why an EnvoyProxy is invalid on its own, or undefined. */
export function envoyProxySpecProblem(proxy: EnvoyProxy): string | undefined {
  const telemetry = telemetryOf(proxy);
  for (const [i, setting] of list(obj(telemetry?.accessLog)?.settings).entries()) {
    const problem = sinkProblem(`telemetry.accessLog.settings[${i}].sinks`, list(setting.sinks));
    if (problem) return problem;
  }
  const compression = obj(obj(obj(telemetry?.metrics)?.prometheus)?.compression);
  return (
    sinkProblem('telemetry.metrics.sinks', list(obj(telemetry?.metrics)?.sinks)) ??
    (compression?.minContentLength === undefined
      ? undefined
      : byteSizeProblem(
          'telemetry.metrics.prometheus.compression.minContentLength',
          compression.minContentLength,
          1,
        )) ??
    bootstrapOverride(proxy).problem
  );
}

/**
 * A coarse CEL syntax check: brackets balance outside string literals and no operator is left
 * without an operand. Envoy Gateway compiles the expression; this catches what cannot parse.
 */
export function isPlausibleCel(expression: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let quote: string | undefined;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i] as string;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  if (quote || stack.length > 0) return false;
  const code = expression.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""').trim();
  return code !== '' && !/^[)*/%<>=&|]|[+\-*/%<>=&|!]$|\+\s*\+/.test(code);
}

/** Why a Gateway's proxy cannot be built with this EnvoyProxy, or undefined. */
export function envoyProxyGatewayProblem(
  ctx: TranslatorContext,
  proxy: EnvoyProxy,
): string | undefined {
  const telemetry = telemetryOf(proxy);
  const namespace = proxy.metadata.namespace ?? 'default';
  const self = {
    group: ENVOY_GATEWAY_GROUP,
    kind: 'EnvoyProxy',
    namespace,
    name: proxy.metadata.name,
  };
  // Telemetry backends are the operator's own configuration: no ReferenceGrant is asked for.
  const referrer = { ...self, skipReferenceGrant: true, parents: [{ ref: self }] };
  const services: [string, Obj | undefined][] = [];
  for (const [i, setting] of list(obj(telemetry?.accessLog)?.settings).entries()) {
    const matches = Array.isArray(setting.matches) ? setting.matches : [];
    const bad = matches.find((m) => typeof m !== 'string' || !isPlausibleCel(m));
    if (bad !== undefined)
      return `telemetry.accessLog.settings[${i}]: invalid CEL match ${String(bad)}`;
    for (const [j, sink] of list(setting.sinks).entries()) {
      services.push([
        `telemetry.accessLog.settings[${i}].sinks[${j}]`,
        obj(sink.openTelemetry) ?? obj(sink.als),
      ]);
    }
  }
  for (const [i, sink] of list(obj(telemetry?.metrics)?.sinks).entries())
    services.push([`telemetry.metrics.sinks[${i}]`, obj(sink.openTelemetry)]);
  services.push(['telemetry.tracing.provider', obj(obj(telemetry?.tracing)?.provider)]);
  for (const [field, service] of services) {
    // A module load balancer's module: one this EnvoyProxy registers (as a route's must be).
    const lb = obj(obj(service?.backendSettings)?.loadBalancer);
    const module = obj(lb?.dynamicModule)?.name;
    if (lb?.type === 'DynamicModule' && !field.startsWith('telemetry.metrics')) {
      const source = registeredModule(proxy, String(module));
      if (typeof source === 'string')
        return `${field}.backendSettings.loadBalancer.dynamicModule: ${source}`;
    }
    for (const [i, ref] of serviceBackendRefs(service).entries()) {
      if (typeof ref.name !== 'string') continue;
      const resolved = resolveBackendRef(
        ctx,
        referrer,
        backendRefOf(ref, ref.name),
        `envoyproxy/${namespace}/${proxy.metadata.name}/${field}/${i}`,
        'HTTP',
      );
      if (resolved.error) return `${field}.backendRefs[${i}]: ${resolved.error.message}`;
    }
  }
  return undefined;
}
