// Kubernetes Service (core/v1): the fields a gateway reads to route to it; the rest is kept as is.
import { z } from 'zod';
import { intOrString } from '../intOrString.js';
import type { KindDefinition } from '../kindDefinition.js';
import { type ObjectMeta, objectMetaSchema } from '../objectMeta.js';

export interface ServicePort {
  name?: string | undefined;
  port: number;
  targetPort?: number | string | undefined;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string | undefined;
  nodePort?: number | undefined;
}

export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string | undefined;
    clusterIPs?: string[] | undefined;
    externalName?: string | undefined;
    ipFamilies?: Array<'IPv4' | 'IPv6'> | undefined;
    ports?: ServicePort[] | undefined;
    selector?: Record<string, string> | undefined;
    [key: string]: unknown;
  };
  status?: Record<string, unknown> | undefined;
}

const portNumber = z.number().int().min(1).max(65535);

const serviceV1Schema: z.ZodType<Service> = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: objectMetaSchema,
  spec: z
    .looseObject({
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).default('ClusterIP'),
      clusterIP: z.string().optional(),
      clusterIPs: z.array(z.string()).optional(),
      externalName: z.string().optional(),
      ipFamilies: z.array(z.enum(['IPv4', 'IPv6'])).optional(),
      ports: z
        .array(
          z.strictObject({
            name: z.string().optional(),
            port: portNumber,
            targetPort: intOrString.optional(),
            protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
            appProtocol: z.string().optional(),
            nodePort: portNumber.optional(),
          }),
        )
        .optional(),
      selector: z.record(z.string(), z.string()).optional(),
    })
    .default({ type: 'ClusterIP' }),
  status: z.record(z.string(), z.unknown()).optional(),
});

export const serviceDefinition: KindDefinition<Service> = {
  group: '',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
  storageVersion: 'v1',
  versions: { v1: serviceV1Schema },
  lenientVersions: { v1: serviceV1Schema },
  deprecatedVersions: [],
};
