// Kubernetes ConfigMap (core/v1): CA certificates for BackendTLSPolicy and other plain data.
import { z } from 'zod';
import type { KindDefinition } from '../kindDefinition.js';
import { type ObjectMeta, objectMetaSchema } from '../objectMeta.js';

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  data?: Record<string, string> | undefined;
  binaryData?: Record<string, string> | undefined;
  immutable?: boolean | undefined;
}

const configMapV1Schema: z.ZodType<ConfigMap> = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('ConfigMap'),
  metadata: objectMetaSchema,
  data: z.record(z.string(), z.string()).optional(),
  binaryData: z.record(z.string(), z.base64()).optional(),
  immutable: z.boolean().optional(),
});

export const configMapDefinition: KindDefinition<ConfigMap> = {
  group: '',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
  storageVersion: 'v1',
  versions: { v1: configMapV1Schema },
  lenientVersions: { v1: configMapV1Schema },
  deprecatedVersions: [],
};
