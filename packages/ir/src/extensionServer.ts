// What the extension server (EnvoyGateway `extensionManager`) is handed with the resources it
// may modify: objects of the kinds it registers, as read (Kubernetes unstructured JSON).
import { z } from 'zod';

/** One object of an extension's kind, as read: `apiVersion`, `kind`, `metadata`, the rest. */
export const ExtensionObjectSchema = z.record(z.string(), z.unknown());
export type ExtensionObject = z.infer<typeof ExtensionObjectSchema>;

/** An extension policy attached to the fleet, and the IR listeners it targets. */
export const ExtensionServerPolicySchema = z.object({
  object: ExtensionObjectSchema,
  /** Names of the IR listeners (HTTP, TCP, UDP) of the targeted Gateways or sections. */
  listeners: z.array(z.string()),
});
export type ExtensionServerPolicy = z.infer<typeof ExtensionServerPolicySchema>;
