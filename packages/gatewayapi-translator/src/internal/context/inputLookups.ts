// Lookups a TranslatorContext builds from the input (objects by namespace/name, EndpointSlices by
// Service, ReferenceGrants by namespace), each a function of one input array. A stateful
// translator's reduced translations (internal/incremental/) see the same Services, Secrets and
// EndpointSlices one change after another: profiled on a one-route change, building these again
// was a tenth of it. One per translator (its IncrementalMemo); a lookup is never modified once
// built, so every translation of the same array may share it.

type Build = (items: readonly never[]) => unknown;

export class InputLookups {
  /** Per builder, per input array: what it built. */
  readonly #built = new Map<Build, WeakMap<readonly object[], unknown>>();

  of<T extends object, R>(items: readonly T[], build: (items: readonly T[]) => R): R {
    let byItems = this.#built.get(build as Build);
    if (byItems === undefined) {
      byItems = new WeakMap();
      this.#built.set(build as Build, byItems);
    }
    if (byItems.has(items)) return byItems.get(items) as R;
    const built = build(items);
    byItems.set(items, built);
    return built;
  }
}
