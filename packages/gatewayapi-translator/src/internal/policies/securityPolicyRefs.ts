// What SecurityPolicy parts share while resolving what they name: the Problem that makes a
// policy fail closed, field readers, and the destinations of the services a policy calls (by
// backendRefs, or by URI with a Service's cluster DNS name going to the Service's endpoints).
import type { RouteDestination } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { resolveBackendRef } from '../routes/backendRefs.js';
import { ENVOY_GATEWAY_GROUP, nsName } from '../types.js';
import {
  backendRefOf,
  type PolicyRef,
  serviceBackendRefs,
} from './validation/policyBackendRefs.js';
import type { Obj } from './validation/policyValues.js';

export class Problem extends Error {}

export const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

export function refTarget(policy: PolicyRef, ref: Obj): { namespace: string; name: string } {
  const namespace = str(ref.namespace) || policy.namespace;
  return { namespace, name: str(ref.name) ?? '' };
}

/**
 * One destination for the backendRefs of a service the policy calls (JWKS, ext_authz, ext_proc);
 * refs marked `fallback` serve only when the others are unhealthy (Envoy priorities, as a route's
 * fallback Backends).
 */
export function serviceDestination(
  ctx: TranslatorContext,
  policy: PolicyRef,
  field: string,
  service: Obj | undefined,
  name: string,
  protocol: RouteDestination['settings'][number]['protocol'] = 'HTTP',
): RouteDestination | undefined {
  const refs = serviceBackendRefs(service);
  if (refs.length === 0) return undefined;
  const referrer = {
    group: ENVOY_GATEWAY_GROUP,
    ...policy,
    parents: [{ ref: { group: ENVOY_GATEWAY_GROUP, ...policy } }],
  };
  const settings = refs.map((ref, i) => {
    const resolved = resolveBackendRef(
      ctx,
      referrer,
      backendRefOf(ref, str(ref.name) ?? ''),
      `${name}/backend/${i}`,
      protocol,
    );
    if (!resolved.setting)
      throw new Problem(`${field}[${i}]: ${resolved.error?.message ?? 'does not resolve'}`);
    // `fallback`: a lower priority that takes the calls only when the others are unhealthy.
    return ref.fallback === true ? { ...resolved.setting, priority: 1 } : resolved.setting;
  });
  return { name, settings };
}

/** `<service>.<namespace>[.svc[.cluster.local]]`: a Service by its cluster DNS name. */
const SERVICE_HOST = /^([a-z0-9-]+)\.([a-z0-9-]+)(\.svc(\.cluster\.local)?)?$/;

/**
 * A destination from a plain `http(s)://host:port/path` URI (Envoy Gateway's remote JWKS without
 * backendRefs). An http host naming a Service by its cluster DNS name goes to the Service's
 * endpoints, as cluster DNS would send it; any other host is resolved by Envoy, and an https one
 * verified against the system trust store.
 */
export function uriDestination(
  ctx: TranslatorContext,
  policy: PolicyRef,
  uri: string,
  field: string,
  name: string,
): RouteDestination {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Problem(`${field}: ${uri} is not a URI`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Problem(`${field}: ${uri}: only http and https URIs are supported`);
  const https = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (https ? 443 : 80));
  const service = https ? null : SERVICE_HOST.exec(host);
  if (service && ctx.services.has(nsName(service[2] ?? '', service[1] ?? ''))) {
    const ref = { name: service[1], namespace: service[2], port };
    const destination = serviceDestination(ctx, policy, field, { backendRefs: [ref] }, name);
    if (destination) return destination;
  }
  const isIP = /^[0-9.]+$/.test(host) || host.includes(':');
  return {
    name,
    settings: [
      {
        name: `${name}/backend/0`,
        weight: 1,
        protocol: 'HTTP',
        addressType: isIP ? 'IP' : 'FQDN',
        endpoints: [{ host, port, ready: true }],
        // An https URI is verified against the system trust store, by its host name.
        ...(https
          ? {
              tls: {
                sni: host,
                useSystemTrustStore: true,
                subjectAltNames: [{ type: 'Hostname' as const, value: host }],
                policy: `${policy.namespace}/${policy.name}`,
              },
            }
          : {}),
      },
    ],
  };
}
