// Fluent builders of resources for tests: `gateway('eg').listener('http', 'HTTP', 80).build()`.
// They build the input form (what a user writes); pass it through the api loader for defaults.

type Json = Record<string, unknown>;

const GATEWAY_API = 'gateway.networking.k8s.io/v1';
export const CONTROLLER_NAME = 'gateway.envoyproxy.io/gatewayclass-controller';

function meta(name: string, namespace?: string): Json {
  return namespace === undefined ? { name } : { name, namespace };
}

export function gatewayClass(name = 'eg', controllerName = CONTROLLER_NAME): Json {
  return {
    apiVersion: GATEWAY_API,
    kind: 'GatewayClass',
    metadata: meta(name),
    spec: { controllerName },
  };
}

export class GatewayBuilder {
  private readonly listeners: Json[] = [];
  constructor(
    private readonly name: string,
    private readonly namespace: string,
    private readonly className: string,
  ) {}

  listener(name: string, protocol: string, port: number, extra: Json = {}): this {
    this.listeners.push({ name, protocol, port, ...extra });
    return this;
  }

  build(): Json {
    return {
      apiVersion: GATEWAY_API,
      kind: 'Gateway',
      metadata: meta(this.name, this.namespace),
      spec: { gatewayClassName: this.className, listeners: this.listeners.map((l) => ({ ...l })) },
    };
  }
}

export const gateway = (name: string, namespace = 'default', className = 'eg') =>
  new GatewayBuilder(name, namespace, className);

export class HTTPRouteBuilder {
  private readonly parentRefs: Json[] = [];
  private readonly hostnames: string[] = [];
  private readonly rules: Json[] = [];
  constructor(
    private readonly name: string,
    private readonly namespace: string,
  ) {}

  parent(name: string, extra: Json = {}): this {
    this.parentRefs.push({ name, ...extra });
    return this;
  }

  hostname(hostname: string): this {
    this.hostnames.push(hostname);
    return this;
  }

  rule(rule: Json): this {
    this.rules.push(rule);
    return this;
  }

  /** A rule that sends `pathPrefix` to a Service port. */
  backend(service: string, port: number, pathPrefix = '/'): this {
    return this.rule({
      matches: [{ path: { type: 'PathPrefix', value: pathPrefix } }],
      backendRefs: [{ name: service, port }],
    });
  }

  build(): Json {
    const spec: Json = { parentRefs: this.parentRefs, rules: this.rules };
    if (this.hostnames.length > 0) spec.hostnames = [...this.hostnames];
    return {
      apiVersion: GATEWAY_API,
      kind: 'HTTPRoute',
      metadata: meta(this.name, this.namespace),
      spec,
    };
  }
}

export const httpRoute = (name: string, namespace = 'default') =>
  new HTTPRouteBuilder(name, namespace);

/** A Service and the EndpointSlice that gives it endpoints, as a cluster would hold them. */
export function service(
  name: string,
  port: number,
  addresses: string[],
  namespace = 'default',
): Json[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, namespace),
      spec: { ports: [{ name: 'http', port, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { ...meta(`${name}-1`, namespace), labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses, conditions: { ready: true } }],
      ports: [{ name: 'http', port, protocol: 'TCP' }],
    },
  ];
}

export function namespace(name: string, labels: Record<string, string> = {}): Json {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function referenceGrant(name: string, namespace: string, from: Json[], to: Json[]): Json {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: meta(name, namespace),
    spec: { from, to },
  };
}
