// EnvoyGateway `extensionManager`: the extension server egts calls during xDS translation, the
// kinds it brings (route filters, policies, custom backends) and how egts reaches it. Same fields
// as Envoy Gateway's ExtensionManager (api/v1alpha1/envoygateway_types.go).
import { z } from 'zod';

/** A kind of the extension's: resources of it are read and handed to the extension. */
export const groupVersionKindSchema = z.looseObject({
  group: z.string().min(1),
  version: z.string().min(1),
  kind: z.string().min(1),
});
export type GroupVersionKind = z.output<typeof groupVersionKindSchema>;

/**
 * Envoy Gateway's XDSTranslatorHook values: the hooks an extension subscribes to (`Endpoints`,
 * PostEndpointsModify, came with Envoy Gateway v1.8).
 */
export const XDS_TRANSLATOR_HOOKS = [
  'VirtualHost',
  'Route',
  'HTTPListener',
  'Translation',
  'Cluster',
  'Endpoints',
] as const;
export type XdsTranslatorHook = (typeof XDS_TRANSLATOR_HOOKS)[number];

const includeAll = z.looseObject({ includeAll: z.boolean().optional() }).optional();
const port = z.number().int().min(0).max(65535);
const secretRef = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  kind: z.string().optional(),
  group: z.string().optional(),
});
// A duration such as 0.1s, 100ms or 1m (Gateway API Duration).
const duration = z
  .string()
  .regex(/^(\d+(\.\d+)?(h|m|s|ms))+$/, 'expected a duration such as 100ms or 1s');

export const extensionManagerSchema = z.looseObject({
  /** Kinds used as HTTPRoute/GRPCRoute extensionRef filters (PostRouteModify context). */
  resources: z.array(groupVersionKindSchema).optional(),
  /** Kinds attached as policies to Gateways (PostHTTPListenerModify and PostTranslateModify context). */
  policyResources: z.array(groupVersionKindSchema).optional(),
  /** Kinds used as custom backendRefs (PostClusterModify context). */
  backendResources: z.array(groupVersionKindSchema).optional(),
  hooks: z.looseObject({
    xdsTranslator: z
      .looseObject({
        pre: z.array(z.enum(XDS_TRANSLATOR_HOOKS)).optional(),
        post: z.array(z.enum(XDS_TRANSLATOR_HOOKS)).optional(),
        translation: z
          .looseObject({
            listener: includeAll,
            route: includeAll,
            cluster: includeAll,
            secret: includeAll,
          })
          .optional(),
      })
      .optional(),
  }),
  service: z.looseObject({
    fqdn: z.looseObject({ hostname: z.string().min(1), port }).optional(),
    ip: z.looseObject({ address: z.string().min(1), port }).optional(),
    unix: z.looseObject({ path: z.string().min(1) }).optional(),
    /** Deprecated in Envoy Gateway (use fqdn, ip or unix). */
    host: z.string().min(1).optional(),
    port: port.optional(),
    tls: z
      .looseObject({ certificateRef: secretRef, clientCertificateRef: secretRef.optional() })
      .optional(),
    retry: z
      .looseObject({
        maxAttempts: z.number().int().min(1).optional(),
        initialBackoff: duration.optional(),
        maxBackoff: duration.optional(),
        backoffMultiplier: z
          .looseObject({ numerator: z.number().int(), denominator: z.number().int().optional() })
          .optional(),
        // Envoy Gateway's JSON name for this field is capitalised.
        RetryableStatusCodes: z.array(z.string()).optional(),
      })
      .optional(),
  }),
  /** Errors of the extension are ignored (the unmodified resource is used); default false. */
  failOpen: z.boolean().optional(),
  /** Largest message sent to or received from the extension: a Kubernetes quantity; default 4M. */
  maxMessageSize: z
    .union([
      z.number().int().positive(),
      z
        .string()
        .regex(/^[1-9][0-9]*([EPTGMK]i|[EPTGMk])?$/, 'expected a quantity such as 4M or 8Mi'),
    ])
    .optional(),
});
export type ExtensionManager = z.output<typeof extensionManagerSchema>;

/** `group/kind` of every kind the extension registers, for the loaders. */
export function extensionKinds(manager: ExtensionManager | undefined): ReadonlySet<string> {
  if (manager === undefined) return new Set();
  return new Set(
    [
      ...(manager.resources ?? []),
      ...(manager.policyResources ?? []),
      ...(manager.backendResources ?? []),
    ].map((gvk) => `${gvk.group}/${gvk.kind}`),
  );
}
