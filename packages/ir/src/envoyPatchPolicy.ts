// EnvoyPatchPolicies in the xDS IR: RFC 6902 JSON patches the xDS translator applies to the
// final Envoy resources of one fleet, by type URL and resource name (Envoy Gateway's
// EnvoyPatchPolicy), and what became of each policy (its Programmed condition).
import { z } from 'zod';

/** One JSON patch operation on one xDS resource. */
export const JSONPatchSchema = z.object({
  /** Type URL of the resource (`type.googleapis.com/envoy.config.listener.v3.Listener`, ...). */
  type: z.string(),
  /** Name of the resource. */
  name: z.string(),
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  /** JSON pointer (RFC 6901) over the resource's proto3 JSON with proto field names. */
  path: z.string(),
  /**
   * JSONPath selecting where the operation applies (`operation.jsonPath`): once at each match,
   * `path` then relative to it.
   */
  jsonPath: z.string().optional(),
  from: z.string().optional(),
  value: z.unknown().optional(),
});
export type JSONPatch = z.infer<typeof JSONPatchSchema>;

/** An accepted EnvoyPatchPolicy, in the order its patches apply (priority, then name). */
export const EnvoyPatchPolicyIRSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  patches: z.array(JSONPatchSchema),
});
export type EnvoyPatchPolicyIR = z.infer<typeof EnvoyPatchPolicyIRSchema>;

/**
 * What applying a policy's patches gave: programmed, or not with Envoy Gateway's reason
 * (`Invalid`: a patch failed or its result is not a valid resource; `ResourceNotFound`).
 */
export interface EnvoyPatchPolicyOutcome {
  readonly namespace: string;
  readonly name: string;
  readonly programmed: boolean;
  readonly reason: 'Programmed' | 'Invalid' | 'ResourceNotFound';
  readonly message: string;
}
