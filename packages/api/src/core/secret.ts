// Kubernetes Secret (core/v1): TLS certificates and keys for listeners and backends.
import { z } from 'zod';
import type { KindDefinition } from '../kindDefinition.js';
import { type ObjectMeta, objectMetaSchema } from '../objectMeta.js';

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type: string;
  /** Values are base64, as the API server stores them. */
  data?: Record<string, string> | undefined;
  stringData?: Record<string, string> | undefined;
  immutable?: boolean | undefined;
}

const base64 = z.base64('must be base64-encoded');

const secretV1Schema: z.ZodType<Secret> = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Secret'),
  metadata: objectMetaSchema,
  type: z.string().default('Opaque'),
  data: z.record(z.string(), base64).optional(),
  stringData: z.record(z.string(), z.string()).optional(),
  immutable: z.boolean().optional(),
});

export const secretDefinition: KindDefinition<Secret> = {
  group: '',
  kind: 'Secret',
  plural: 'secrets',
  namespaced: true,
  storageVersion: 'v1',
  versions: { v1: secretV1Schema },
  lenientVersions: { v1: secretV1Schema },
  deprecatedVersions: [],
};
