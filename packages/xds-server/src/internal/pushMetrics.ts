// Push latency (snapshot set -> ACK) per resource type and node, kept as running aggregates.

export interface LatencyStats {
  readonly count: number;
  readonly lastMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

export class PushMetrics {
  readonly #stats = new Map<string, { count: number; sum: number; max: number; last: number }>();

  record(typeUrl: string, nodeId: string, latencyMs: number): void {
    const key = `${typeUrl}\u0000${nodeId}`;
    const stats = this.#stats.get(key) ?? { count: 0, sum: 0, max: 0, last: 0 };
    stats.count += 1;
    stats.sum += latencyMs;
    stats.max = Math.max(stats.max, latencyMs);
    stats.last = latencyMs;
    this.#stats.set(key, stats);
  }

  snapshot(): { typeUrl: string; nodeId: string; stats: LatencyStats }[] {
    return [...this.#stats].map(([key, s]) => {
      const [typeUrl = '', nodeId = ''] = key.split('\u0000');
      return {
        typeUrl,
        nodeId,
        stats: { count: s.count, lastMs: s.last, maxMs: s.max, meanMs: s.sum / s.count },
      };
    });
  }
}
