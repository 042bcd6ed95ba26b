// What one translator's incremental paths remember between updates: indexes built once per input
// array or object, keyed by those objects (WeakMaps), so what the caller drops is collected. One
// per createTranslator() instance: two translators never share state. Inputs must not be
// mutated once passed in (the Translator contract).
import type { ResourceStatus } from '@egts/api';
import { InputLookups } from '../context/inputLookups.js';
import type { RouteColumns } from './listenerSplice.js';
import type { Route } from './routeDiff.js';

/** Where a destination setting sits in an IR: the keys and indexes down to it. */
export type SettingPath = readonly (string | number)[];

export class IncrementalMemo {
  /** The input's lookups for every translation this translator runs (TranslatorContext). */
  readonly lookups = new InputLookups();
  /** Per route resource: every `namespace/name` its rules name. */
  readonly referenced = new WeakMap<object, Set<string>>();
  /** Per route array: positions of its routes by each `namespace/name` they name. */
  readonly referenceIndexes = new WeakMap<readonly object[], Map<string, number[]>>();
  /** Per xDS IR object: where each destination setting sits, by setting name. */
  readonly settingPaths = new WeakMap<object, ReadonlyMap<string, readonly SettingPath[]>>();
  /** Per status list: statuses by kind/namespace/name. */
  readonly statusesByKey = new WeakMap<readonly ResourceStatus[], Map<string, ResourceStatus>>();
  /**
   * Per status list: positions by kind/namespace/name. Handed on to the next list when positions
   * stay (and updated when statuses are appended): one list owns an index at a time.
   */
  readonly statusPositions = new WeakMap<readonly ResourceStatus[], Map<string, number>>();
  /**
   * Per route array: routes by key. A diff that finds only in-place edits hands the index on to
   * the new array (updated) instead of building another; `undefined` marks duplicate keys.
   */
  readonly routeIndexes = new WeakMap<readonly Route[], Map<string, Route> | undefined>();
  /** Per policy array: the policies whose every target an older policy of the kind claimed. */
  readonly shadowedPolicies = new WeakMap<readonly object[], ReadonlySet<object>>();
  /** Per policy array: positions of its policies by what they target (policyFootprint.ts). */
  readonly policyTargets = new WeakMap<
    readonly object[],
    {
      readonly always: readonly number[];
      readonly byTarget: ReadonlyMap<string, readonly number[]>;
    }
  >();
  /** Per IR listener route list: its routes' source names and rough requests keys. */
  readonly routeColumns = new WeakMap<readonly object[], RouteColumns>();
  /** Per route resource: the Gateways it names, undefined when it names another parent kind. */
  readonly parentGateways = new WeakMap<object, readonly string[] | undefined>();
}
