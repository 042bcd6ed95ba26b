// Stops a running gateway on SIGINT or SIGTERM, for the CLI commands that run one.
import type { Logging } from '../logging.js';
import type { RunningGateway } from './gatewayOptions.js';

/** Runs until SIGINT or SIGTERM, then stops everything (no Envoy left behind). */
export function closeOnSignals(gateway: RunningGateway, logging: Logging): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logging.root.info({ signal }, 'stopping');
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logging.root.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
