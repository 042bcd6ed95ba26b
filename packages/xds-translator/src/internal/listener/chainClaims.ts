// Envoy rejects a listener whose filter chains share a match. When IR listeners and routes on one
// port ask for the same SNI name (or several want the catch-all), the first to ask, in IR order,
// gets it; the IR translator has already reported such conflicts in statuses.
export class ChainClaims {
  private readonly names = new Set<string>();
  private catchAllTaken = false;

  /**
   * Claims SNI names (empty or containing `*` means every name): the names still free, `[]` for
   * the catch-all, or undefined when nothing is left for this chain.
   */
  claim(serverNames: readonly string[]): string[] | undefined {
    if (serverNames.length === 0 || serverNames.includes('*')) {
      if (this.catchAllTaken) return undefined;
      this.catchAllTaken = true;
      return [];
    }
    const free = serverNames.filter((name) => !this.names.has(name));
    if (free.length === 0) return undefined;
    for (const name of free) this.names.add(name);
    return free;
  }
}
