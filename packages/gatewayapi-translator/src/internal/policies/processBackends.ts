// Status of Envoy Gateway Backends: Accepted unless an endpoint is unusable (a wildcard or
// localhost FQDN, an IP field that is not an IP, a loopback IP) or TLS is asked for with nothing
// to verify the backend by (no CA, no well-known CAs, no BackendTLSPolicy, no insecureSkipVerify). Envoy Gateway reports an invalid
// Backend with a condition of type "Invalid", status False, reason "Accepted"; that observable
// shape is kept so tools comparing against Envoy Gateway agree.
import { isIP } from 'node:net';
import type { Backend } from '@egts/api';
import type { TranslatorContext } from '../context/translatorContext.js';
import { Conditions } from '../status/conditions.js';
import { ENVOY_GATEWAY_GROUP } from '../types.js';
import {
  NOT_APPLIED_REASON,
  notAppliedFields,
  notAppliedMessage,
} from './registry/fieldRegistry.js';

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function endpointProblem(backend: Backend, allowLoopback: boolean): string | undefined {
  // A DynamicResolver forwards to the host each request names: it has no endpoints of its own.
  if (backend.spec.type === 'DynamicResolver' && (backend.spec.endpoints ?? []).length > 0)
    return 'DynamicResolver type cannot have endpoints specified.';
  for (const ep of backend.spec.endpoints ?? []) {
    if (ep.fqdn) {
      const host = ep.fqdn.hostname;
      if (!DNS_NAME.test(host))
        return `FQDN ${host} is not a valid DNS name (wildcards are not allowed).`;
      if (host === 'localhost' && !allowLoopback) return 'FQDN localhost is not allowed.';
    } else if (ep.ip) {
      const address = ep.ip.address;
      if (isIP(address) === 0) return `${address} is not an IP address.`;
      if (!allowLoopback && (/^127\./.test(address) || address === '::1'))
        return `Loopback address ${address} is not allowed.`;
    }
  }
  return undefined;
}

function tlsProblem(ctx: TranslatorContext, backend: Backend): string | undefined {
  const tls = backend.spec.tls as
    | {
        caCertificateRefs?: readonly unknown[] | null | undefined;
        wellKnownCACertificates?: string | null | undefined;
        insecureSkipVerify?: boolean | null | undefined;
      }
    | null
    | undefined;
  if (!tls) return undefined;
  if ((tls.caCertificateRefs ?? []).length > 0 || tls.wellKnownCACertificates) return undefined;
  if (tls.insecureSkipVerify === true) return undefined;
  // A BackendTLSPolicy for the Backend, or for one of its ports, supplies the CA instead.
  const namespace = backend.metadata.namespace ?? 'default';
  const ports = new Set(
    (backend.spec.endpoints ?? []).map((ep) => String(ep.fqdn?.port ?? ep.ip?.port ?? '')),
  );
  const covered = ctx.resources.backendTLSPolicies.some(
    (p) =>
      (p.metadata.namespace ?? 'default') === namespace &&
      p.spec.targetRefs.some(
        (t) =>
          t.group === ENVOY_GATEWAY_GROUP &&
          t.kind === 'Backend' &&
          t.name === backend.metadata.name &&
          (!t.sectionName || ports.has(t.sectionName)),
      ),
  );
  return covered ? undefined : 'TLS settings need a CA to verify the backend with.';
}

/** Why a Backend is unusable, or undefined; routes referring to it get InvalidBackendRef. */
export function backendProblem(ctx: TranslatorContext, backend: Backend): string | undefined {
  return endpointProblem(backend, ctx.options.allowLoopbackBackends) ?? tlsProblem(ctx, backend);
}

/** Envoy Gateway's message for every Backend while `extensionApis.enableBackend` is off. */
const BACKEND_DISABLED =
  'The Backend was not accepted since Backend is not enabled in Envoy Gateway Config';

export interface BackendStatus {
  resource: Backend;
  conditions: Conditions;
}

export function processBackends(ctx: TranslatorContext): BackendStatus[] {
  return ctx.resources.backends.map((resource) => {
    const conditions = new Conditions(resource.metadata.generation ?? undefined);
    if (!ctx.options.enableBackend) {
      conditions.set('Invalid', 'False', 'Accepted', BACKEND_DISABLED);
      return { resource, conditions };
    }
    const problem = backendProblem(ctx, resource);
    const notApplied = notAppliedFields('Backend', resource.spec);
    if (problem) conditions.set('Invalid', 'False', 'Accepted', problem);
    else if (notApplied.length > 0)
      conditions.set(
        'Accepted',
        'False',
        NOT_APPLIED_REASON,
        notAppliedMessage(notApplied, 'routes use its endpoints without these settings.'),
      );
    else conditions.set('Accepted', 'True', 'Accepted', 'The Backend was accepted.');
    return { resource, conditions };
  });
}
