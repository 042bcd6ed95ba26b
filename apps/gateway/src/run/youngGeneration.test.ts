// The flag keeps the young generation at its starting size in the Node this runs on: a Node whose
// V8 stopped reading it at run time would fail here instead of quietly growing egts's RSS again.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_FLAGS } from './youngGeneration.js';

/** New space (MiB) after ~100 MiB of short-lived allocation, with `flags` set at run time. */
const newSpaceAfterAllocation = (flags: string | undefined): number => {
  const script = `
    const v8 = require('node:v8');
    if (process.argv[1]) v8.setFlagsFromString(process.argv[1]);
    let keep = [];
    for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; }
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(space.space_size / 1048576);`;
  const out = execFileSync(process.execPath, ['-e', script, '--', flags ?? ''], {
    encoding: 'utf8',
  });
  return Number(out.trim());
};

describe('keepYoungGenerationSmall', () => {
  it('keeps the new space from growing (it grows without the flag)', () => {
    expect(newSpaceAfterAllocation(undefined)).toBeGreaterThan(8);
    expect(newSpaceAfterAllocation(YOUNG_GENERATION_FLAGS)).toBeLessThanOrEqual(4);
  });
});
