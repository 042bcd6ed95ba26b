// Where an IR route comes from: the route resource and the rule within it. Code that needs a
// route's origin (status attribution, incremental updates, metadata) reads this, never a name.
import { z } from 'zod';

export const RouteSourceSchema = z.object({
  /** The route's kind: HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute. */
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  /** The rule's name, when it has one. */
  rule: z.string().optional(),
  /** Index of the rule in spec.rules (the gatewayapi-translator sets it). */
  ruleIndex: z.number().int().optional(),
});
export type RouteSource = z.infer<typeof RouteSourceSchema>;
