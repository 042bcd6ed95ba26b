// The contracts between pipeline stages (DESIGN.md "Data flow"): what a provider publishes, and
// what the translator hands the status writers. Every stage imports them from here.
import type { Problem } from './loader/problem.js';
import type { Resources } from './resources.js';

/** A provider's latest view of its resources, and the problems found reading them. */
export interface ProviderSnapshot {
  readonly resources: Resources;
  readonly problems: Problem[];
}

/** The status of one input resource, as the translator computes it and a provider writes it. */
export interface ResourceStatus {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  status: Record<string, unknown>;
}
