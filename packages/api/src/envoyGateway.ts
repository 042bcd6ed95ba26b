// EnvoyGateway (gateway.envoyproxy.io/v1alpha1): egts's static configuration, the same file Envoy
// Gateway reads (`--config envoy-gateway.yaml`): provider, controller name, logging, admin.
// Fields egts does not act on yet are kept as they are. `provider.custom.resource.type: ConfigServer`
// (with `configServer`) is an egts addition: resources pushed over @egts/provider-config-server's API.
import { z } from 'zod';
import { extensionManagerSchema } from './extensionManager.js';

const logLevel = z.enum(['debug', 'info', 'warn', 'error']);
const loose = z.record(z.string(), z.unknown());
const listenAddress = z.looseObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535),
});

/** A Gateway API Duration: 1h, 10s, 500ms, 1m30s. */
const gatewayDuration = z
  .string()
  .regex(/^([0-9]{1,5}(h|m|s|ms)){1,4}$/, 'expected a duration such as 10s, 500ms or 1m30s');

/** Envoy Gateway's EnvoyGatewayOpenTelemetrySink: a collector of the control plane's telemetry. */
const otelSink = z.looseObject({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535).default(4317),
  protocol: z.enum(['grpc', 'http']),
  exportInterval: gatewayDuration.optional(),
  exportTimeout: gatewayDuration.optional(),
});

export const DEFAULT_CONTROLLER_NAME = 'gateway.envoyproxy.io/gatewayclass-controller';

export const envoyGatewaySchema = z
  .looseObject({
    apiVersion: z.literal('gateway.envoyproxy.io/v1alpha1'),
    kind: z.literal('EnvoyGateway'),
    gateway: z
      .looseObject({ controllerName: z.string().min(1).default(DEFAULT_CONTROLLER_NAME) })
      .default({ controllerName: DEFAULT_CONTROLLER_NAME }),
    provider: z
      .looseObject({
        type: z.enum(['Kubernetes', 'Custom']),
        kubernetes: z
          .looseObject({
            // Envoy Gateway's EnvoyGatewayTopologyInjector: the mutating webhook on pods/binding
            // that gives proxy pods their node's zone (on unless disabled).
            topologyInjector: z.looseObject({ disable: z.boolean().optional() }).optional(),
            watch: z
              .looseObject({
                type: z.enum(['Namespaces', 'NamespaceSelector']),
                namespaces: z.array(z.string()).optional(),
                namespaceSelector: loose.optional(),
              })
              .optional(),
          })
          .optional(),
        custom: z
          .looseObject({
            resource: z.looseObject({
              type: z.enum(['File', 'ConfigServer']),
              file: z.looseObject({ paths: z.array(z.string()).min(1) }).optional(),
              // egts only: the config server's HTTP and/or gRPC API, where it keeps what it accepts,
              // and how clients authenticate (token file, mTLS with clientCAFile, or anonymous).
              configServer: z
                .looseObject({
                  http: listenAddress.optional(),
                  grpc: listenAddress.optional(),
                  dataDir: z.string().min(1),
                  tokenFile: z.string().min(1).optional(),
                  tls: z
                    .looseObject({
                      certFile: z.string().min(1),
                      keyFile: z.string().min(1),
                      clientCAFile: z.string().min(1).optional(),
                    })
                    .optional(),
                  allowAnonymous: z.enum(['read', 'write']).optional(),
                })
                .optional(),
            }),
            infrastructure: z
              .looseObject({ type: z.enum(['Host']), host: loose.optional() })
              .optional(),
          })
          .optional(),
      })
      .default({ type: 'Kubernetes' }),
    logging: z
      .looseObject({ level: z.record(z.string(), logLevel).default({ default: 'info' }) })
      .default({ level: { default: 'info' } }),
    admin: z
      .looseObject({
        address: z
          .looseObject({
            host: z.string().default('127.0.0.1'),
            port: z.number().int().min(0).max(65535).default(19000),
          })
          .default({ host: '127.0.0.1', port: 19000 }),
        enableDumpConfig: z.boolean().optional(),
        enablePprof: z.boolean().optional(),
      })
      .default({ address: { host: '127.0.0.1', port: 19000 } }),
    // Global rate limiting (Envoy Gateway's RateLimit): the Rate Limit Service's Redis backend, how
    // long proxies wait for it, and what they do when it cannot answer. Absent: global rate limits
    // are not enabled, and a policy with global rules is not accepted.
    rateLimit: z
      .looseObject({
        backend: z.looseObject({
          type: z.literal('Redis'),
          redis: z
            .looseObject({
              // host:port of the Redis server (Envoy Gateway's REDIS_URL).
              url: z.string().min(1),
              tls: z
                .looseObject({ certificateRef: z.looseObject({ name: z.string().min(1) }) })
                .optional(),
            })
            .optional(),
        }),
        // A duration such as 20ms or 1s (Envoy Gateway's default: 20ms).
        timeout: z
          .string()
          .regex(/^\d+(ms|s|m|h)$/, 'expected a duration such as 20ms, 1s or 1m')
          .optional(),
        failClosed: z.boolean().optional(),
        telemetry: loose.optional(),
      })
      .optional(),
    extensionApis: z
      .looseObject({
        enableEnvoyPatchPolicy: z.boolean().optional(),
        enableBackend: z.boolean().optional(),
      })
      .optional(),
    extensionManager: extensionManagerSchema.optional(),
    /**
     * Envoy Gateway's plural form: several extension servers, each named, called in this order at
     * each hook, each on what the previous one returned.
     */
    extensionManagers: z
      .array(extensionManagerSchema.extend({ name: z.string().min(1) }))
      .optional(),
    // The control plane's own telemetry (Envoy Gateway's EnvoyGatewayTelemetry).
    telemetry: z
      .looseObject({
        metrics: z
          .looseObject({
            prometheus: z.looseObject({ disable: z.boolean().optional() }).optional(),
            sinks: z
              .array(
                z.looseObject({
                  type: z.literal('OpenTelemetry').default('OpenTelemetry'),
                  openTelemetry: otelSink.optional(),
                }),
              )
              .optional(),
            // egts: where the Prometheus endpoint listens (Envoy Gateway: 0.0.0.0:19001).
            address: z
              .looseObject({
                host: z.string().min(1).optional(),
                port: z.number().int().min(0).max(65535).optional(),
              })
              .optional(),
          })
          .optional(),
        traces: z
          .looseObject({
            disable: z.boolean().optional(),
            samplingRate: z.number().min(0).max(1).optional(),
            sink: z.looseObject({
              type: z.literal('OpenTelemetry').default('OpenTelemetry'),
              openTelemetry: otelSink.optional(),
            }),
            batchSpanProcessor: z
              .looseObject({
                batchTimeout: gatewayDuration.optional(),
                maxExportBatchSize: z.number().int().min(1).optional(),
                maxQueueSize: z.number().int().min(1).optional(),
              })
              .optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    if (config.extensionManager !== undefined && config.extensionManagers !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['extensionManagers'],
        message: 'set extensionManager or extensionManagers, not both',
      });
    const names = (config.extensionManagers ?? []).map((m) => m.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['extensionManagers', i, 'name'],
          message: `extension manager name ${name} is used twice`,
        });
    });
  });

export type EnvoyGateway = z.output<typeof envoyGatewaySchema>;

/**
 * The extension managers egts runs, in order: `extensionManager` (unnamed), or the entries of
 * `extensionManagers`.
 */
export const extensionManagersOf = (config: EnvoyGateway) =>
  config.extensionManager !== undefined
    ? [{ ...config.extensionManager, name: '' }]
    : (config.extensionManagers ?? []);

/**
 * The extension manager as the translator and the loaders see it: `extensionManager`, or for
 * `extensionManagers` the first entry with the kinds of all (each kind is read and reaches the
 * IR when any extension registers it, as Envoy Gateway's composite HasExtension).
 */
export const extensionManagerOf = (config: EnvoyGateway) => {
  const all = extensionManagersOf(config);
  const [first] = all;
  if (first === undefined || all.length === 1) return config.extensionManager ?? first;
  const union = (pick: (m: (typeof all)[number]) => readonly GVK[] | undefined) => {
    const seen = new Map<string, GVK>();
    for (const m of all)
      for (const gvk of pick(m) ?? []) seen.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, gvk);
    return [...seen.values()];
  };
  return {
    ...first,
    resources: union((m) => m.resources),
    policyResources: union((m) => m.policyResources),
    backendResources: union((m) => m.backendResources),
  };
};
type GVK = NonNullable<NonNullable<EnvoyGateway['extensionManager']>['resources']>[number];
