// CI's gate for EnvoyProxy telemetry: Envoy Gateway's telemetry e2e tests (the
// ENVOY-GATEWAY-TELEMETRY profile of `pnpm conformance --suite envoy-gateway`) through egts and real
// Envoy. Every test runs or is skipped with a reason; none may fail.
import { describe, expect, it } from 'vitest';
import { defaultEnvoyGatewayDir, runConformance } from '../index.js';

const suiteDir = defaultEnvoyGatewayDir();

describe.skipIf(!suiteDir)(
  "Envoy Gateway's telemetry e2e tests (needs ../shared/envoy-gateway/e2e)",
  () => {
    it('pass through real Envoy, or are skipped with a reason', async () => {
      const { outcomes, report } = await runConformance({
        suite: 'envoy-gateway',
        profiles: ['ENVOY-GATEWAY-TELEMETRY'],
        log: (line) => console.log(line),
      });
      const failed = outcomes.filter((o) => o.result === 'failed');
      const skipped = outcomes.filter((o) => o.result === 'skipped');
      for (const s of skipped) expect(s.reason, s.name).toBeTruthy();
      expect(report.profiles.map((p) => p.name)).toEqual(['ENVOY-GATEWAY-TELEMETRY']);
      expect(failed.map((f) => `${f.name}: ${f.reason}`)).toEqual([]);
      expect(outcomes.filter((o) => o.result === 'passed').length).toBeGreaterThan(0);
    }, 600_000);
  },
);
