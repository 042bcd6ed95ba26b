// Multi-cluster ServiceImport (multicluster.x-k8s.io/v1alpha1, KEP-1645): a backendRef kind that
// names a Service exported from other clusters.
import { z } from 'zod';
import type { KindDefinition } from '../kindDefinition.js';
import { type ObjectMeta, objectMetaSchema } from '../objectMeta.js';

export interface ServiceImport {
  apiVersion: 'multicluster.x-k8s.io/v1alpha1';
  kind: 'ServiceImport';
  metadata: ObjectMeta;
  spec: {
    type: 'ClusterSetIP' | 'Headless';
    ports: Array<{
      name?: string | undefined;
      port: number;
      protocol: 'TCP' | 'UDP' | 'SCTP';
      appProtocol?: string | undefined;
    }>;
    ips?: string[] | undefined;
    sessionAffinity?: string | undefined;
    [key: string]: unknown;
  };
  status?: Record<string, unknown> | undefined;
}

// Lenient reading (see KindDefinition.lenientVersions) takes an import without its required type.
const serviceImportSchema = <T extends z.ZodType>(type: T) =>
  z.strictObject({
    apiVersion: z.literal('multicluster.x-k8s.io/v1alpha1'),
    kind: z.literal('ServiceImport'),
    metadata: objectMetaSchema,
    spec: z.looseObject({
      type,
      ports: z.array(
        z.strictObject({
          name: z.string().optional(),
          port: z.number().int().min(1).max(65535),
          protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
          appProtocol: z.string().optional(),
        }),
      ),
      ips: z.array(z.string()).optional(),
      sessionAffinity: z.string().optional(),
    }),
    status: z.record(z.string(), z.unknown()).optional(),
  });

const serviceImportV1alpha1Schema: z.ZodType<ServiceImport> = serviceImportSchema(
  z.enum(['ClusterSetIP', 'Headless']),
);

export const serviceImportDefinition: KindDefinition<ServiceImport> = {
  group: 'multicluster.x-k8s.io',
  kind: 'ServiceImport',
  plural: 'serviceimports',
  namespaced: true,
  storageVersion: 'v1alpha1',
  versions: { v1alpha1: serviceImportV1alpha1Schema },
  lenientVersions: { v1alpha1: serviceImportSchema(z.string().optional()) },
  deprecatedVersions: [],
};
