// What the loader needs to know of a kind: where it is served and how each version is checked.
import type { z } from 'zod';

export interface KindDefinition<T = unknown> {
  /** API group; "" for Kubernetes' core group. */
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** The version other versions are read as when they are not served. */
  readonly storageVersion: string;
  /** Every served version and its schema. */
  readonly versions: Readonly<Record<string, z.ZodType<T>>>;
  /**
   * The same versions checked for structure only (types, required fields; defaults applied), to
   * read a resource whose values break the CRD's rules so that it can still get a status.
   */
  readonly lenientVersions: Readonly<Record<string, z.ZodType>>;
  readonly deprecatedVersions: readonly string[];
}

/** `group/version`, or just `version` for the core group, as apiVersion spells it. */
export const apiVersionOf = (group: string, version: string): string =>
  group === '' ? version : `${group}/${version}`;
