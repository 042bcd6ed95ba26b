// Generated benchmark inputs: N HTTPRoutes spread over several Gateways, namespaces and Services,
// and the "large" shape Envoy Gateway benchmarks (HTTP, gRPC and UDP routes plus four policy kinds).
// Objects are in input form (what a user writes); `toText` makes a file the loader reads.

export type Json = Record<string, unknown>;

const GW = 'gateway.networking.k8s.io/v1';
const EG = 'gateway.envoyproxy.io/v1alpha1';
export const GATEWAY_NAMESPACE = 'gateways';
const CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';

export interface HttpScenarioOptions {
  routes: number;
  /** Gateways the routes are spread over (round robin). Default 4. */
  gateways?: number;
  /** Namespaces routes and Services live in. Default 10. */
  namespaces?: number;
  /** Services per namespace. Default 10. */
  servicesPerNamespace?: number;
  /** Port of the HTTP listener of Gateway i is `listenerPort + i`. Default 18000. */
  listenerPort?: number;
  /** Endpoint address and port of every Service. Default 10.1.x.y:8080 (unreachable, translation only). */
  backend?: { address: string; port: number };
}

export interface Scenario {
  readonly name: string;
  /** Cluster-scoped and shared objects: GatewayClass, Gateways, Namespaces. */
  readonly base: Json[];
  readonly services: Json[];
  readonly routes: Json[];
  /** The rest (GRPCRoutes, UDPRoutes, policies) for the large shape. */
  readonly extra: Json[];
}

export const allObjects = (s: Scenario): Json[] => [
  ...s.base,
  ...s.services,
  ...s.routes,
  ...s.extra,
];

/** A multi-document text the loader reads (JSON is YAML). */
export const toText = (objects: readonly Json[]): string =>
  objects.map((o) => JSON.stringify(o)).join('\n---\n');

const meta = (name: string, namespace?: string): Json =>
  namespace === undefined ? { name } : { name, namespace };

const namespaceName = (i: number) => `team-${i}`;
const gatewayName = (i: number) => `gw-${i}`;
const serviceName = (i: number) => `svc-${i}`;

export const gatewayClass = (): Json => ({
  apiVersion: GW,
  kind: 'GatewayClass',
  metadata: meta('eg'),
  spec: { controllerName: CONTROLLER },
});

const gatewayObject = (i: number, listeners: Json[]): Json => ({
  apiVersion: GW,
  kind: 'Gateway',
  metadata: meta(gatewayName(i), GATEWAY_NAMESPACE),
  spec: { gatewayClassName: 'eg', listeners },
});

const httpListener = (port: number): Json => ({
  name: 'http',
  protocol: 'HTTP',
  port,
  allowedRoutes: { namespaces: { from: 'All' } },
});

const namespaceObject = (name: string): Json => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});

/** A Service with one port and the EndpointSlice that gives it `endpoints` addresses. */
export const serviceObjects = (
  name: string,
  namespace: string,
  port: number,
  addresses: string[],
  endpointPort = port,
  protocol = 'TCP',
): Json[] => [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name, namespace),
    spec: { ports: [{ name: 'p', port, protocol }] },
  },
  endpointSlice(name, namespace, addresses, endpointPort, protocol),
];

export const endpointSlice = (
  service: string,
  namespace: string,
  addresses: string[],
  port: number,
  protocol = 'TCP',
): Json => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    ...meta(`${service}-1`, namespace),
    labels: { 'kubernetes.io/service-name': service },
  },
  addressType: 'IPv4',
  endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
  ports: [{ name: 'p', port, protocol }],
});

/** Route i: `/r<i>` (plus `version` in the path, so an edit changes the route) on host `app<i % 50>`. */
export const httpRouteObject = (
  i: number,
  o: Required<Pick<HttpScenarioOptions, 'gateways' | 'namespaces' | 'servicesPerNamespace'>>,
  version = 0,
): Json => ({
  apiVersion: GW,
  kind: 'HTTPRoute',
  metadata: meta(`route-${i}`, namespaceName(i % o.namespaces)),
  spec: {
    parentRefs: [{ name: gatewayName(i % o.gateways), namespace: GATEWAY_NAMESPACE }],
    hostnames: [`app${i % 50}.example.com`],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: `/r${i}` } }],
        backendRefs: [
          { name: serviceName(Math.floor(i / o.namespaces) % o.servicesPerNamespace), port: 8080 },
        ],
        ...(version === 0
          ? {}
          : {
              filters: [
                {
                  type: 'RequestHeaderModifier',
                  requestHeaderModifier: { set: [{ name: 'x-version', value: String(version) }] },
                },
              ],
            }),
      },
    ],
  },
});

export const resolveOptions = (options: HttpScenarioOptions) => ({
  routes: options.routes,
  gateways: options.gateways ?? 4,
  namespaces: options.namespaces ?? 10,
  servicesPerNamespace: options.servicesPerNamespace ?? 10,
  listenerPort: options.listenerPort ?? 18000,
});

const defaultAddress = (n: number, e: number) => `10.1.${n % 250}.${(e % 250) + 1}`;

/** `routes` HTTPRoutes, each with one rule to one of the Services of its namespace. */
export const httpScenario = (options: HttpScenarioOptions): Scenario => {
  const o = resolveOptions(options);
  const base: Json[] = [gatewayClass(), namespaceObject(GATEWAY_NAMESPACE)];
  for (let g = 0; g < o.gateways; g++)
    base.push(gatewayObject(g, [httpListener(o.listenerPort + g)]));
  const services: Json[] = [];
  for (let n = 0; n < o.namespaces; n++) {
    base.push(namespaceObject(namespaceName(n)));
    for (let s = 0; s < o.servicesPerNamespace; s++) {
      const addresses = options.backend
        ? [options.backend.address]
        : [0, 1, 2].map((e) => defaultAddress(n * o.servicesPerNamespace + s, e));
      services.push(
        ...serviceObjects(
          serviceName(s),
          namespaceName(n),
          8080,
          addresses,
          options.backend?.port ?? 8080,
        ),
      );
    }
  }
  const routes: Json[] = [];
  for (let i = 0; i < o.routes; i++) routes.push(httpRouteObject(i, o));
  return { name: `http-${o.routes}`, base, services, routes, extra: [] };
};

const targetRef = (kind: string, name: string): Json => ({
  group: 'gateway.networking.k8s.io',
  kind,
  name,
});

/** A JWKS of one HMAC key: what the large shape's JWT providers verify with (inline). */
const BENCH_JWKS = JSON.stringify({
  keys: [{ kty: 'oct', kid: 'bench', alg: 'HS256', k: 'YmVuY2gtc2VjcmV0LWtleS1vZi0zMi1ieXRlcyEh' }],
});

/**
 * A SecurityPolicy of the large shape: filters Envoy enforces on its route (JWT with a local
 * JWKS and a claim to a header, authorization by client address, CORS); `cidr` is the one setting
 * a policy change edits.
 */
export const securityPolicySpec = (
  targetRefs: Json[],
  i: number,
  cidr = `10.${i % 250}.0.0/16`,
) => ({
  targetRefs,
  cors: { allowOrigins: ['https://example.com'], allowMethods: ['GET'] },
  jwt: {
    providers: [
      {
        name: 'bench',
        localJWKS: { type: 'Inline', inline: BENCH_JWKS },
        claimToHeaders: [{ claim: 'sub', header: 'x-sub' }],
      },
    ],
  },
  authorization: {
    defaultAction: 'Deny',
    rules: [{ action: 'Allow', principal: { clientCIDRs: [cidr] } }],
  },
});

/**
 * Envoy Gateway's "large" benchmark shape: 500 HTTPRoutes, 250 GRPCRoutes, 100 UDPRoutes, their
 * Services and EndpointSlices, and 500 each of ClientTrafficPolicy, BackendTrafficPolicy,
 * SecurityPolicy and EnvoyExtensionPolicy (the route policies one per HTTPRoute, the SecurityPolicies
 * with JWT, authorization and CORS filters; ClientTrafficPolicies
 * target the Gateways, so all but the oldest per Gateway are Conflicted).
 */
export const largeScenario = (): Scenario => {
  const http = httpScenario({ routes: 500, gateways: 4, namespaces: 10, servicesPerNamespace: 10 });
  const o = resolveOptions({ routes: 500 });
  // 25 UDP listeners on each of the 4 Gateways (Gateway API caps a Gateway at 64 listeners).
  const base = http.base.map((object) => {
    if (object.kind !== 'Gateway') return object;
    const spec = object.spec as { listeners: Json[] };
    const udp = Array.from({ length: 25 }, (_, u) => ({
      name: `udp-${u}`,
      protocol: 'UDP',
      port: 20000 + u,
      allowedRoutes: { namespaces: { from: 'All' } },
    }));
    return { ...object, spec: { ...spec, listeners: [...spec.listeners, ...udp] } };
  });
  const extra: Json[] = [];
  for (let n = 0; n < o.namespaces; n++) {
    extra.push(...serviceObjects('grpc', namespaceName(n), 9000, [defaultAddress(n, 7)]));
    extra.push(
      ...serviceObjects('dns', namespaceName(n), 5353, [defaultAddress(n, 8)], 5353, 'UDP'),
    );
  }
  for (let i = 0; i < 250; i++) {
    extra.push({
      apiVersion: GW,
      kind: 'GRPCRoute',
      metadata: meta(`grpc-${i}`, namespaceName(i % o.namespaces)),
      spec: {
        parentRefs: [{ name: gatewayName(i % o.gateways), namespace: GATEWAY_NAMESPACE }],
        hostnames: [`grpc${i}.example.com`],
        rules: [
          {
            matches: [{ method: { service: `bench.Service${i}`, method: 'Call' } }],
            backendRefs: [{ name: 'grpc', port: 9000 }],
          },
        ],
      },
    });
  }
  for (let i = 0; i < 100; i++) {
    extra.push({
      apiVersion: 'gateway.networking.k8s.io/v1alpha2',
      kind: 'UDPRoute',
      metadata: meta(`udp-${i}`, namespaceName(i % o.namespaces)),
      spec: {
        parentRefs: [
          {
            name: gatewayName(i % o.gateways),
            namespace: GATEWAY_NAMESPACE,
            sectionName: `udp-${Math.floor(i / o.gateways)}`,
          },
        ],
        rules: [{ backendRefs: [{ name: 'dns', port: 5353 }] }],
      },
    });
  }
  const policy = (
    kind: string,
    i: number,
    spec: Json,
    namespace = namespaceName(i % o.namespaces),
  ) => ({
    apiVersion: EG,
    kind,
    metadata: meta(`${kind.toLowerCase()}-${i}`, namespace),
    spec,
  });
  for (let i = 0; i < 500; i++) {
    const route = [targetRef('HTTPRoute', `route-${i}`)];
    extra.push(
      policy(
        'ClientTrafficPolicy',
        i,
        {
          targetRefs: [targetRef('Gateway', gatewayName(i % o.gateways))],
          timeout: { http: { idleTimeout: '60s' } },
        },
        GATEWAY_NAMESPACE,
      ),
      policy('BackendTrafficPolicy', i, {
        targetRefs: route,
        timeout: { tcp: { connectTimeout: '5s' } },
      }),
      policy('SecurityPolicy', i, securityPolicySpec(route, i)),
      policy('EnvoyExtensionPolicy', i, { targetRefs: route }),
    );
  }
  return { name: 'large', base, services: http.services, routes: http.routes, extra };
};
