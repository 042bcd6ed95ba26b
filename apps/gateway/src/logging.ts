// Structured logs (pino) with a level per component, as Envoy Gateway's `logging.level` sets them:
// `{ default: info, xds-server: debug }`.
import { type Logger, pino } from 'pino';

export type LogLevels = Readonly<Record<string, string>>;

/** A root logger; `component(name)` gives a child logger at that component's level. */
export interface Logging {
  readonly root: Logger;
  component(name: string): Logger;
}

export function createLogging(
  levels: LogLevels = { default: 'info' },
  destination?: pino.DestinationStream,
): Logging {
  const defaultLevel = levels.default ?? 'info';
  const root = destination
    ? pino({ level: defaultLevel }, destination)
    : pino({ level: defaultLevel });
  return {
    root,
    component: (name) => root.child({ component: name }, { level: levels[name] ?? defaultLevel }),
  };
}
