// Backend references of every route kind: validate group/kind, cross-namespace permission, port,
// existence (Service, ServiceImport, Envoy Gateway Backend), and resolve endpoints from
// EndpointSlices. Returns typed errors; routeConditions.ts turns them into ResolvedRefs.

import type { DestinationSetting, Endpoint } from '@egts/ir';
import { appended } from '../appended.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { sortInPlace } from '../ordering.js';
import { backendProblem } from '../policies/processBackends.js';
import { isReferenceAllowed } from '../referenceGrants.js';
import { RouteStatusError, unresolvedRef } from '../status/statusError.js';
import {
  type BackendRefLike,
  ENVOY_GATEWAY_GROUP,
  GATEWAY_GROUP,
  MCS_GROUP,
  nsName,
  type ParentRef,
  type RouteKind,
} from '../types.js';
import { backendTLSFor } from './backendTls.js';
import { backendEndpoints, backendProtocol, backendTLS } from './egBackend.js';
import { recordServiceAddress } from './serviceRouting.js';

/** Who refers to a backend: a route, or an Envoy Gateway policy (extAuth, extProc services). */
export interface BackendRouteInfo {
  /** API group of the referrer, for ReferenceGrant `from` (default: Gateway API, a route). */
  group?: string;
  kind: RouteKind | string;
  namespace: string;
  name: string;
  /** No ReferenceGrant needed across namespaces (an EnvoyProxy's telemetry backends). */
  skipReferenceGrant?: boolean;
  /** Where a BackendTLSPolicy of the backend reports itself: the route's parents, or the policy. */
  parents?: readonly { ref: ParentRef }[];
}

export interface ResolvedBackend {
  /** The destination group, when the ref resolved. */
  setting?: DestinationSetting;
  /** Why it did not resolve (or resolved with an invalid BackendTLSPolicy). */
  error?: RouteStatusError;
  /** The backend resolved but has no endpoints (BackendsAvailable=False). */
  noEndpoints?: boolean;
}

type AppProtocol = DestinationSetting['protocol'];

/** One backendRef must resolve to one address family: Envoy clusters are IP or DNS, not both. */
const mixedAddresses = () =>
  unresolvedRef(
    'UnsupportedAddressType',
    'Mixed FQDN, IP or Unix socket addresses for the same backendRef are not supported.',
  );

/** A Service port's appProtocol can upgrade HTTP to h2c or gRPC upstream (GEP-1911). */
function appProtocolOf(appProtocol: string | undefined, fallback: AppProtocol): AppProtocol {
  if (fallback !== 'HTTP' && fallback !== 'GRPC') return fallback;
  if (appProtocol === 'kubernetes.io/h2c') return 'HTTP2';
  if (appProtocol === 'grpc') return 'GRPC';
  return fallback;
}

const byHostThenPort = (a: Endpoint, b: Endpoint) =>
  a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port;

function sortEndpoints(endpoints: Endpoint[]): Endpoint[] {
  return sortInPlace(endpoints, byHostThenPort);
}

/**
 * Endpoints of a Service (or ServiceImport) port from its EndpointSlices: the slice port with the
 * Service port's name and protocol; serving endpoints only (ready, when serving/terminating are
 * unknown), terminating ones kept but marked for draining.
 */
export function sliceEndpoints(
  ctx: TranslatorContext,
  key: string,
  servicePort: { name?: string | undefined; protocol?: string | undefined },
  multicluster: boolean,
): { endpoints: Endpoint[]; addressType: DestinationSetting['addressType'] } {
  const slices =
    (multicluster ? ctx.multiClusterEndpointSlices : ctx.endpointSlices).get(key) ?? [];
  // Built for every backendRef of every rule and kept in the IR: lists of the exact size, and
  // two flags rather than a set of address types. Indexed loops and no closures: most of this
  // runs before V8 optimizes it, when every for-of step allocates.
  let endpoints: Endpoint[] = [];
  let ip = false;
  let fqdn = false;
  const portName = servicePort.name ?? '';
  const portProtocol = servicePort.protocol ?? 'TCP';
  for (let s = 0; s < slices.length; s++) {
    const slice = slices[s]!;
    if (slice.addressType === 'FQDN') fqdn = true;
    else ip = true;
    const ports = slice.ports ?? [];
    let slicePort: (typeof ports)[number] | undefined;
    for (let p = 0; p < ports.length && slicePort === undefined; p++) {
      const port = ports[p]!;
      if ((port.name ?? '') === portName && (port.protocol ?? 'TCP') === portProtocol)
        slicePort = port;
    }
    if (slicePort?.port === undefined || slicePort.port === null) continue;
    const listed = slice.endpoints ?? [];
    for (let e = 0; e < listed.length; e++) {
      const ep = listed[e]!;
      const { ready, serving, terminating } = ep.conditions ?? {};
      const known =
        serving !== undefined &&
        serving !== null &&
        terminating !== undefined &&
        terminating !== null;
      if (known ? !serving : ready === false) continue;
      const addresses = ep.addresses ?? [];
      for (let a = 0; a < addresses.length; a++) {
        const address = addresses[a]!;
        const endpoint: Endpoint = {
          host: address,
          port: slicePort.port,
          ready: !(known && terminating),
        };
        if (ep.zone) endpoint.zone = ep.zone;
        endpoints = appended(endpoints, endpoint);
      }
    }
  }
  const addressType = ip && fqdn ? 'Mixed' : fqdn ? 'FQDN' : 'IP';
  return { endpoints: sortEndpoints(endpoints), addressType };
}

/** Validate and resolve one backendRef. `settingName` names the resulting destination group. */
export function resolveBackendRef(
  ctx: TranslatorContext,
  route: BackendRouteInfo,
  ref: BackendRefLike,
  settingName: string,
  protocol: AppProtocol,
): ResolvedBackend {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  if (group !== '' && group !== MCS_GROUP && group !== ENVOY_GATEWAY_GROUP) {
    return {
      error: unresolvedRef(
        'InvalidKind',
        `Group ${group} is invalid, only the core group, ${MCS_GROUP} and ${ENVOY_GATEWAY_GROUP} are supported.`,
      ),
    };
  }
  const validKind =
    (kind === 'Service' && group === '') ||
    (kind === 'ServiceImport' && group === MCS_GROUP) ||
    (kind === 'Backend' && (group === ENVOY_GATEWAY_GROUP || group === ''));
  if (!validKind) {
    return {
      error: unresolvedRef(
        'InvalidKind',
        `Kind ${kind} of group "${group}" is invalid, only Service, MCS ServiceImport and Backend are supported.`,
      ),
    };
  }
  const namespace = ref.namespace || route.namespace;
  // Same namespace needs no grant: checked here, before making the two refs for every backend.
  if (
    namespace !== route.namespace &&
    !route.skipReferenceGrant &&
    !isReferenceAllowed(
      ctx,
      { group: route.group ?? GATEWAY_GROUP, kind: route.kind, namespace: route.namespace },
      { group, kind, namespace, name: ref.name },
    )
  ) {
    return {
      error: unresolvedRef(
        'RefNotPermitted',
        `Backend ref to ${kind} ${namespace}/${ref.name} not permitted by any ReferenceGrant.`,
      ),
    };
  }
  const weight = ref.weight ?? 1;
  const key = nsName(namespace, ref.name);
  if (kind === 'Backend') {
    // Envoy Gateway refuses Unix sockets mixed with IP or FQDN endpoints for routes only; a
    // policy's service backends (extProc, extAuth) take them.
    const forRoute = (route.group ?? GATEWAY_GROUP) === GATEWAY_GROUP;
    const resolved = resolveEGBackend(ctx, key, settingName, weight, protocol, forRoute);
    if (!resolved.setting) return resolved;
    // BackendTLSPolicies target a Backend port by its number.
    const sectionName = ref.port === undefined ? undefined : String(ref.port);
    const policy = backendTLSFor(ctx, route, {
      group: ENVOY_GATEWAY_GROUP,
      kind,
      namespace,
      name: ref.name,
      sectionName,
    });
    const tls = backendTLS(ctx, ctx.backends.get(key)!, policy?.settings);
    if (tls instanceof RouteStatusError) {
      if (weight !== 0) resolved.error = tls;
    } else if (tls) resolved.setting.tls = tls;
    if (policy?.error && weight !== 0) resolved.error = policy.error;
    return resolved;
  }
  if (ref.port === undefined) {
    return {
      error: unresolvedRef('PortNotSpecified', 'A port number of the Service must be specified.'),
    };
  }
  const l4 = route.kind === 'UDPRoute' ? 'UDP' : 'TCP';
  const service = kind === 'Service' ? ctx.services.get(key) : ctx.serviceImports.get(key);
  if (!service) return { error: unresolvedRef('BackendNotFound', `${kind} ${key} not found.`) };
  // Gateway API BackendObjectReference: "Implementations SHOULD NOT support ExternalName
  // Services" (CNAMEs outside the cluster, CVE-2021-25740). Envoy Gateway refuses them as backends
  // (envoyproxy/gateway#9189): ResolvedRefs=False/UnsupportedValue; Backend resources route to FQDNs.
  // Outside Kubernetes the file and config-server providers resolve such a Service themselves
  // into an EndpointSlice (@egts/api dnsEndpointSlices): endpoints given explicitly are used.
  if (
    kind === 'Service' &&
    ctx.services.get(key)?.spec?.type === 'ExternalName' &&
    (ctx.endpointSlices.get(key) ?? []).length === 0
  ) {
    return {
      error: unresolvedRef(
        'UnsupportedValue',
        `Service ${key} of type ExternalName is not supported as a backend; use a Backend with an FQDN endpoint.`,
      ),
    };
  }
  const ports = (service.spec?.ports ?? []) as {
    name?: string | undefined;
    port: number;
    protocol?: string | undefined;
    appProtocol?: string | undefined;
  }[];
  const servicePort = ports.find((p) => p.port === ref.port && (p.protocol ?? 'TCP') === l4);
  if (!servicePort) {
    return {
      error: unresolvedRef('PortNotFound', `${l4} port ${ref.port} not found on ${kind} ${key}.`),
    };
  }
  const { endpoints, addressType } = sliceEndpoints(
    ctx,
    key,
    servicePort,
    kind === 'ServiceImport',
  );
  if (addressType === 'Mixed') return { error: mixedAddresses() };
  const setting: DestinationSetting = {
    name: settingName,
    weight,
    protocol: appProtocolOf(servicePort.appProtocol, protocol),
    addressType,
    endpoints,
  };
  // Most inputs have no BackendTLSPolicy: no target made for every backend of every rule then.
  const tls =
    ctx.backendTLSPolicies.length === 0
      ? undefined
      : backendTLSFor(ctx, route, {
          group,
          kind,
          namespace,
          name: ref.name,
          sectionName: servicePort.name,
        });
  if (tls?.settings) setting.tls = tls.settings;
  if (kind === 'Service') recordServiceAddress(ctx, settingName, service.spec?.clusterIP, ref.port);
  const result: ResolvedBackend = { setting };
  // A backend weighted 0 receives no traffic: once the reference itself resolved, neither its
  // endpoints nor its TLS can affect the route's status (Envoy Gateway stops there too).
  if (weight === 0) return result;
  if (tls?.error) result.error = tls.error;
  if (endpoints.length === 0) result.noEndpoints = true;
  return result;
}

function resolveEGBackend(
  ctx: TranslatorContext,
  key: string,
  settingName: string,
  weight: number,
  protocol: AppProtocol,
  refuseMixedUnix: boolean,
): ResolvedBackend {
  // Envoy Gateway: a Backend is usable only with extensionApis.enableBackend on.
  if (!ctx.options.enableBackend)
    return {
      error: unresolvedRef(
        'InvalidKind',
        `Backend ${key} cannot be used since Backend is disabled in Envoy Gateway configuration.`,
      ),
    };
  const backend = ctx.backends.get(key);
  if (!backend) return { error: unresolvedRef('BackendNotFound', `Backend ${key} not found.`) };
  const problem = backendProblem(ctx, backend);
  if (problem) return { error: unresolvedRef('InvalidBackendRef', `Backend ${key}: ${problem}`) };
  if (backend.spec.type === 'DynamicResolver') {
    // Envoy Gateway: a dynamic forward proxy serves routes only.
    if (!refuseMixedUnix)
      return {
        error: unresolvedRef(
          'InvalidBackendRef',
          `Backend ${key}: a DynamicResolver Backend can only serve routes.`,
        ),
      };
    return {
      setting: {
        name: settingName,
        weight,
        protocol: backendProtocol(backend, protocol),
        addressType: 'FQDN',
        endpoints: [],
        dynamicResolver: true,
      },
    };
  }
  const own = backendEndpoints(backend);
  const { kinds } = own;
  let { endpoints } = own;
  // A policy's service backends (extProc, extAuth) may mix Unix sockets with IP or FQDN
  // endpoints: those are used, the sockets left out (a DNS cluster takes no socket path).
  if (!refuseMixedUnix && kinds.has('Unix') && kinds.size > 1) {
    kinds.delete('Unix');
    endpoints = endpoints.filter((ep) => ep.unixPath === undefined);
  }
  if (kinds.size > 1) return { error: mixedAddresses() };
  return {
    setting: {
      name: settingName,
      weight,
      protocol: backendProtocol(backend, protocol),
      addressType: kinds.has('FQDN') ? 'FQDN' : 'IP',
      endpoints: sortEndpoints(endpoints),
      ...(backend.spec.fallback === true ? { priority: 1 } : {}),
    },
  };
}
