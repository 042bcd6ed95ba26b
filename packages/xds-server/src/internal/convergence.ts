// Which proxies hold their group's current snapshot: the live streams by group, and the callers
// waiting for all of a group's streams to have answered (ACK or NACK) what was sent to them.
import type { StreamCore } from './streamCore.js';

export class Convergence {
  readonly #streams = new Set<StreamCore>();
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Called by a stream after every pump and on close. */
  progress(core: StreamCore): void {
    if (core.closed) this.#streams.delete(core);
    else this.#streams.add(core);
    const group = core.group;
    if (group !== undefined && this.#waiters.has(group)) this.#check(group);
  }

  /** Whether every live stream has answered (ACK or NACK) every response sent on it. */
  answered(): boolean {
    for (const core of this.#streams) if (!core.answered) return false;
    return true;
  }

  /** Resolves once every live stream of the group has converged (at once when none is live). */
  wait(group: string): Promise<void> {
    if (this.#converged(group)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(group) ?? new Set();
      this.#waiters.set(group, waiters);
      waiters.add(resolve);
    });
  }

  /** Resolves every waiter (the server is closing: nothing more will converge). */
  release(): void {
    for (const waiters of this.#waiters.values()) for (const resolve of waiters) resolve();
    this.#waiters.clear();
  }

  #converged(group: string): boolean {
    for (const core of this.#streams) if (core.group === group && !core.converged) return false;
    return true;
  }

  #check(group: string): void {
    if (!this.#converged(group)) return;
    const waiters = this.#waiters.get(group);
    this.#waiters.delete(group);
    for (const resolve of waiters ?? []) resolve();
  }
}
