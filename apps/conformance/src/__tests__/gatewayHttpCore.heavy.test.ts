// CI's conformance gate: the GATEWAY-HTTP core profile through egts and real Envoy. Fails when
// fewer tests pass than the floor reached so far (raise it as fixes land, never lower it).
import { describe, expect, it } from 'vitest';
import { defaultSuiteDir, runConformance } from '../index.js';

/** GATEWAY-HTTP core tests passing when this floor was last raised. */
const CORE_PASS_FLOOR = 37;

const suiteDir = defaultSuiteDir();

describe.skipIf(!suiteDir)('GATEWAY-HTTP core conformance (needs ../shared/gateway-api)', () => {
  it('passes at least the floor, and reports every failure with its reason', async () => {
    const { outcomes, report } = await runConformance({
      profiles: ['GATEWAY-HTTP'],
      level: 'core',
      log: (line) => console.log(line),
    });
    const passed = outcomes.filter((o) => o.result === 'passed').length;
    const failed = outcomes.filter((o) => o.result === 'failed');
    for (const f of failed) expect(f.reason, f.name).toBeTruthy();
    console.log(`GATEWAY-HTTP core: ${passed} passed, ${failed.length} failed`);
    expect(report.profiles.map((p) => p.name)).toEqual(['GATEWAY-HTTP']);
    expect(passed).toBeGreaterThanOrEqual(CORE_PASS_FLOOR);
  });
});
