// Every backendSettings group, with values away from the defaults: the settings the SecurityPolicy
// services' and the ext_proc processor's table tests set on a service and on a BackendTrafficPolicy.

/** Every backendSettings group, with values away from the defaults. */
export const SERVICE_SETTINGS = {
  circuitBreaker: {
    maxConnections: 11,
    maxPendingRequests: 12,
    maxParallelRequests: 13,
    maxParallelRetries: 14,
    maxRequestsPerConnection: 15,
    perEndpoint: { maxConnections: 16 },
    retryBudget: { percent: { numerator: 30 }, minRetryConcurrency: 2 },
  },
  connection: { bufferLimit: '20Ki', preconnect: { perEndpointPercent: 150 } },
  dns: { dnsRefreshRate: '7s', respectDnsTtl: false, lookupFamily: 'IPv4' },
  healthCheck: {
    active: {
      type: 'HTTP',
      interval: '3s',
      timeout: '1s',
      unhealthyThreshold: 2,
      healthyThreshold: 1,
      initialJitter: '1s',
      http: { path: '/healthz', method: 'HEAD', expectedStatuses: [200], retriableStatuses: [503] },
    },
    passive: {
      consecutive5XxErrors: 4,
      consecutiveGatewayErrors: 3,
      consecutiveLocalOriginFailures: 2,
      splitExternalLocalOriginErrors: true,
      failurePercentageThreshold: 80,
      alwaysEjectOneEndpoint: true,
      interval: '2s',
      baseEjectionTime: '30s',
      maxEjectionPercent: 50,
    },
    panicThreshold: 40,
  },
  http2: {
    initialStreamWindowSize: '128Ki',
    initialConnectionWindowSize: '1Mi',
    maxConcurrentStreams: 50,
    onInvalidMessage: 'TerminateStream',
    connectionKeepalive: { interval: '20s', timeout: '5s' },
  },
  loadBalancer: { type: 'LeastRequest', slowStart: { window: '5s' } },
  proxyProtocol: { version: 'V2' },
  retry: {
    numRetries: 3,
    retryOn: { triggers: ['connect-failure', 'reset'] },
    perRetry: { backOff: { baseInterval: '1s', maxInterval: '4s' } },
  },
  tcpKeepalive: { probes: 3, idleTime: '10s', interval: '5s' },
  timeout: {
    tcp: { connectTimeout: '3s' },
    http: { connectionIdleTimeout: '50s', maxConnectionDuration: '60s', maxStreamDuration: '9s' },
  },
};

type Json = Record<string, unknown>;

/** What a cluster's settings are, without what names it or reaches its endpoints. */
export const clusterSettings = (cluster: Json): Json => {
  const {
    name: _name,
    loadAssignment: _endpoints,
    edsClusterConfig: _eds,
    altStatName: _stat,
    typedExtensionProtocolOptions: options,
    ...rest
  } = cluster;
  // The upstream protocol options, without the protocol itself (gRPC is HTTP/2).
  const http = (options as Json | undefined)?.[
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'
  ] as Json | undefined;
  const { explicitHttpConfig: _protocol, '@type': _type, ...common } = http ?? {};
  return { ...rest, protocolOptions: common };
};

/**
 * A route cluster's settings as a service's cluster carries them: an HTTP health check without a
 * hostname sends the route's hostname as Host (Envoy Gateway's rule), and a service is no route.
 */
export const routeClusterSettings = (cluster: Json): Json => {
  const settings = clusterSettings(cluster);
  const checks = settings.healthChecks as Json[] | undefined;
  return {
    ...settings,
    healthChecks: checks?.map((check) => {
      const http = check.httpHealthCheck as Json | undefined;
      if (http === undefined) return check;
      const { host: _host, ...rest } = http;
      return { ...check, httpHealthCheck: rest };
    }),
  };
};
