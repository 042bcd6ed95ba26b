// Kubernetes EndpointSlice (discovery.k8s.io/v1): where a Service's endpoints are; the label
// kubernetes.io/service-name ties a slice to its Service.
import { z } from 'zod';
import type { KindDefinition } from '../kindDefinition.js';
import { type ObjectMeta, objectMetaSchema } from '../objectMeta.js';

export interface Endpoint {
  addresses: string[];
  conditions?:
    | {
        ready?: boolean | undefined;
        serving?: boolean | undefined;
        terminating?: boolean | undefined;
      }
    | undefined;
  hostname?: string | undefined;
  nodeName?: string | undefined;
  zone?: string | undefined;
  targetRef?: Record<string, unknown> | undefined;
  [key: string]: unknown;
}

export interface EndpointPort {
  name?: string | undefined;
  port?: number | undefined;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string | undefined;
}

export interface EndpointSlice {
  apiVersion: 'discovery.k8s.io/v1';
  kind: 'EndpointSlice';
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: Endpoint[];
  ports?: EndpointPort[] | undefined;
}

// Lenient reading (see KindDefinition.lenientVersions) takes any addressType for the translator to judge.
const endpointSliceSchema = <T extends z.ZodType>(addressType: T) =>
  z.strictObject({
    apiVersion: z.literal('discovery.k8s.io/v1'),
    kind: z.literal('EndpointSlice'),
    metadata: objectMetaSchema,
    addressType,
    endpoints: z
      .array(
        z.looseObject({
          addresses: z.array(z.string()).min(1).max(100),
          conditions: z
            .strictObject({
              ready: z.boolean().optional(),
              serving: z.boolean().optional(),
              terminating: z.boolean().optional(),
            })
            .optional(),
          hostname: z.string().optional(),
          nodeName: z.string().optional(),
          zone: z.string().optional(),
          targetRef: z.record(z.string(), z.unknown()).optional(),
        }),
      )
      .max(1000)
      .default([]),
    ports: z
      .array(
        z.strictObject({
          name: z.string().optional(),
          port: z.number().int().min(0).max(65535).optional(),
          protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
          appProtocol: z.string().optional(),
        }),
      )
      .max(100)
      .optional(),
  });

const endpointSliceV1Schema: z.ZodType<EndpointSlice> = endpointSliceSchema(
  z.enum(['IPv4', 'IPv6', 'FQDN']),
);

export const endpointSliceDefinition: KindDefinition<EndpointSlice> = {
  group: 'discovery.k8s.io',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
  storageVersion: 'v1',
  versions: { v1: endpointSliceV1Schema },
  lenientVersions: { v1: endpointSliceSchema(z.string()) },
  deprecatedVersions: [],
};
