// Kubernetes Namespace (core/v1): the translator reads its labels for allowedRoutes selectors.
import { z } from 'zod';
import type { KindDefinition } from '../kindDefinition.js';
import { type ObjectMeta, objectMetaSchema } from '../objectMeta.js';

export interface Namespace {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ObjectMeta;
  spec?: Record<string, unknown> | undefined;
  status?: Record<string, unknown> | undefined;
}

const namespaceV1Schema: z.ZodType<Namespace> = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Namespace'),
  metadata: objectMetaSchema,
  spec: z.record(z.string(), z.unknown()).optional(),
  status: z.record(z.string(), z.unknown()).optional(),
});

export const namespaceDefinition: KindDefinition<Namespace> = {
  group: '',
  kind: 'Namespace',
  plural: 'namespaces',
  namespaced: false,
  storageVersion: 'v1',
  versions: { v1: namespaceV1Schema },
  lenientVersions: { v1: namespaceV1Schema },
  deprecatedVersions: [],
};
