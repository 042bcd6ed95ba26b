// Kubernetes' IntOrString (x-kubernetes-int-or-string): a port or a percentage, say.
import { z } from 'zod';

export const intOrString = z.union([z.number().int(), z.string()]);
