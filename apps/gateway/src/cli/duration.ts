// Duration options, e.g. `--cert-validity 720h`: a whole number with a unit, as Go's durations read.
import { InvalidArgumentError } from 'commander';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDurationMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (!match)
    throw new InvalidArgumentError(
      `expected a duration like 90s, 5m or 720h, got ${JSON.stringify(value)}`,
    );
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}
