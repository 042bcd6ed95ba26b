// Runs `applyCertificateSecrets` for as long as egts leads: again when its next step is due, and
// with backoff after a failure (an API server restart, a concurrent certgen's conflicting write).
import {
  type ApplySecretsOptions,
  type ApplySecretsResult,
  applyCertificateSecrets,
} from './rotation.js';

export interface CertificateRotationOptions extends Omit<ApplySecretsOptions, 'now' | 'overwrite'> {
  /** Longest wait between runs, so a Secret deleted or edited by hand is repaired; default 10 min. */
  readonly maxIntervalMs?: number;
  /** Called after every run that wrote something. */
  readonly onRotated?: (result: ApplySecretsResult) => void;
  readonly onError?: (error: unknown) => void;
}

export interface CertificateRotation {
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

const MIN_INTERVAL_MS = 1000;

export const startCertificateRotation = (
  options: CertificateRotationOptions,
): CertificateRotation => {
  const maxIntervalMs = options.maxIntervalMs ?? 10 * 60_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let running: Promise<void> = Promise.resolve();

  const run = async (): Promise<void> => {
    let waitMs: number;
    try {
      const result = await applyCertificateSecrets(options);
      failures = 0;
      if (result.action !== 'kept') options.onRotated?.(result);
      waitMs = result.nextAt.getTime() - Date.now();
    } catch (error) {
      failures += 1;
      options.onError?.(error);
      waitMs = Math.min(maxIntervalMs, MIN_INTERVAL_MS * 2 ** Math.min(failures, 10));
    }
    if (stopped) return;
    timer = setTimeout(
      () => {
        running = run();
      },
      Math.min(maxIntervalMs, Math.max(MIN_INTERVAL_MS, waitMs)),
    );
  };
  running = run();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
};
