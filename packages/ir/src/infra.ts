// Infra IR: which Envoy proxy fleets to run (one per Gateway, or one per GatewayClass when the
// EnvoyProxy merges Gateways), with the ports and addresses each must expose.
import { z } from 'zod';

/** One port a proxy fleet must open. */
export const InfraPortSchema = z.object({
  /** Stable name, unique within the proxy: `<protocol>-<port>`. */
  name: z.string(),
  /** Transport protocol the port carries. */
  protocol: z.enum(['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP']),
  /** Port Envoy binds (Gateway port below 1024 shifted by 10000 so proxies need no privilege). */
  containerPort: z.number().int(),
  /** Port the Gateway declares, exposed by the proxy's Service. */
  servicePort: z.number().int(),
});
export type InfraPort = z.infer<typeof InfraPortSchema>;

/** One Gateway listener as the infrastructure sees it. */
export const InfraListenerSchema = z.object({
  /** `<gateway namespace>/<gateway name>/<listener name>` (ListenerSet listeners add the set name). */
  name: z.string(),
  /** Ports this listener needs opened. */
  ports: z.array(InfraPortSchema),
});
export type InfraListener = z.infer<typeof InfraListenerSchema>;

/** Who owns a proxy fleet: the Kubernetes objects it is derived from. */
export const InfraOwnerSchema = z.object({
  /** Name of the GatewayClass the fleet belongs to. */
  gatewayClass: z.string(),
  /** Namespace of the owning Gateway (absent when Gateways are merged per class). */
  gatewayNamespace: z.string().optional(),
  /** Name of the owning Gateway (absent when Gateways are merged per class). */
  gatewayName: z.string().optional(),
  /** The Gateways merged into the fleet, in input order (only when Gateways are merged per class). */
  gateways: z.array(z.object({ namespace: z.string(), name: z.string() })).optional(),
});
export type InfraOwner = z.infer<typeof InfraOwnerSchema>;

/** One managed proxy fleet. */
export const ProxyInfraSchema = z.object({
  /** Stable name of the fleet, identical to its xDS IR's: `<namespace>/<gateway>`, or the GatewayClass name when its EnvoyProxy merges Gateways. */
  name: z.string(),
  /** Namespace the controller deploys the fleet into. */
  namespace: z.string(),
  /** Objects this fleet is derived from. */
  owner: InfraOwnerSchema,
  /** Labels to put on every object of the fleet (owner labels merged with the Gateway's infrastructure labels). */
  labels: z.record(z.string(), z.string()),
  /** Annotations from the Gateway's spec.infrastructure. */
  annotations: z.record(z.string(), z.string()),
  /** Listeners the fleet serves, in Gateway order. */
  listeners: z.array(InfraListenerSchema),
  /** Addresses requested by Gateway spec.addresses (IPs or hostnames), in order. */
  addresses: z.array(z.string()),
  /**
   * The EnvoyProxy's `shutdown`, with Envoy Gateway's defaults filled in: a stopping proxy
   * reports unready after `healthCheckFailureDelayMs`, then drains for at least `minDrainMs` and
   * until its last client connection closes, `drainTimeoutMs` at most.
   */
  shutdown: z
    .object({
      drainTimeoutMs: z.number().nonnegative(),
      minDrainMs: z.number().nonnegative(),
      healthCheckFailureDelayMs: z.number().nonnegative(),
    })
    .optional(),
  /**
   * The EnvoyProxy's `bootstrap`: a document replacing or merged into the generated bootstrap
   * (Envoy's proto field names), or RFC 6902 patches of it; see the infra-manager's
   * applyBootstrapOverride.
   */
  bootstrap: z
    .object({
      type: z.enum(['Replace', 'Merge', 'JSONPatch']),
      value: z.record(z.string(), z.unknown()).optional(),
      jsonPatches: z
        .array(
          z.object({
            op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
            path: z.string(),
            from: z.string().optional(),
            value: z.unknown().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  /**
   * The EnvoyProxy's OpenTelemetry metric sinks (`telemetry.metrics.sinks`), resolved as Envoy
   * Gateway's ResolvedMetricSinks: where the collector is (`authority`: its host or the Service's
   * cluster DNS name, for a proxy in the cluster; `endpoints`: the Service's endpoints, for a proxy
   * on this host), whether counters and histograms are sent as deltas, the headers sent with each
   * export and the resource attributes of the metrics.
   */
  metricSinks: z
    .array(
      z.object({
        authority: z.string(),
        port: z.number().int(),
        endpoints: z.array(z.object({ host: z.string(), port: z.number().int() })),
        reportCountersAsDeltas: z.boolean(),
        reportHistogramsAsDeltas: z.boolean(),
        /** Sent with every export (gRPC initial metadata; `headers`). */
        headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
        /** Attributes of the resource every exported metric carries (`resourceAttributes`). */
        resourceAttributes: z.record(z.string(), z.string()).optional(),
      }),
    )
    .optional(),
  /** The EnvoyProxy spec that parametrises the fleet (from the Gateway, else the GatewayClass), if any. */
  envoyProxy: z.record(z.string(), z.unknown()).optional(),
});
export type ProxyInfra = z.infer<typeof ProxyInfraSchema>;

/** Infra IR for every managed Gateway, ordered by `name`. */
export const InfraIRSchema = z.object({
  /** Proxy fleets to run, sorted by name. */
  proxies: z.array(ProxyInfraSchema),
});
export type InfraIR = z.infer<typeof InfraIRSchema>;

/** The resource a fleet stands for: its Gateway, or its GatewayClass when Gateways are merged. */
export type FleetOwnerRef =
  | { readonly kind: 'Gateway'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'GatewayClass'; readonly name: string };

/** Who answers for what a fleet's proxies do (status attribution), from its typed owner. */
export const fleetOwnerRef = ({
  gatewayClass,
  gatewayNamespace,
  gatewayName,
}: InfraOwner): FleetOwnerRef =>
  gatewayNamespace !== undefined && gatewayName !== undefined
    ? { kind: 'Gateway', namespace: gatewayNamespace, name: gatewayName }
    : { kind: 'GatewayClass', name: gatewayClass };

/** The Gateways a fleet serves, from its typed owner: its own, or those merged into it. */
export const fleetGateways = ({
  gatewayNamespace,
  gatewayName,
  gateways,
}: InfraOwner): readonly { readonly namespace: string; readonly name: string }[] =>
  gateways ??
  (gatewayNamespace !== undefined && gatewayName !== undefined
    ? [{ namespace: gatewayNamespace, name: gatewayName }]
    : []);
