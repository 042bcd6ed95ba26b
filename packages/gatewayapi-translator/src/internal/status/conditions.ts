// Ordered sets of status conditions. Setting a type again replaces it, so the last writer wins,
// as in Kubernetes meta.SetStatusCondition.
import { appended } from '../appended.js';
import { sortInPlace } from '../ordering.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A status condition as the translator emits it (lastTransitionTime is the status writer's job). */
export interface StatusCondition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

export class Conditions {
  #items: StatusCondition[] = [];
  readonly #generation: number | undefined;

  constructor(generation?: number) {
    this.#generation = generation;
  }

  set(type: string, status: ConditionStatus, reason: string, message: string): void {
    const condition: StatusCondition = { type, status, reason, message };
    if (this.#generation !== undefined) condition.observedGeneration = this.#generation;
    const items = this.#items;
    for (let i = 0; i < items.length; i++) {
      if (items[i]!.type !== type) continue;
      items[i] = condition;
      return;
    }
    this.#items = appended(items, condition);
  }

  /** Set only when the type is not set yet. */
  setDefault(type: string, status: ConditionStatus, reason: string, message: string): void {
    if (!this.has(type)) this.set(type, status, reason, message);
  }

  // Asked for every route parent, listener and policy several times per translation: a loop,
  // not find() with a closure made on each call.
  get(type: string): StatusCondition | undefined {
    const items = this.#items;
    for (let i = 0; i < items.length; i++) if (items[i]!.type === type) return items[i];
    return undefined;
  }

  has(type: string): boolean {
    return this.get(type) !== undefined;
  }

  isFalse(type: string): boolean {
    return this.get(type)?.status === 'False';
  }

  get size(): number {
    return this.#items.length;
  }

  all(): readonly StatusCondition[] {
    return this.#items;
  }

  /** Conditions sorted by type, so output never depends on the order checks ran in. */
  toArray(): StatusCondition[] {
    return sortInPlace([...this.#items], byType);
  }
}

const byType = (a: StatusCondition, b: StatusCondition) =>
  a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
