// `host:port` options, e.g. `--xds-address 127.0.0.1:18000`.
import { InvalidArgumentError } from 'commander';

export interface Address {
  host: string;
  port: number;
}

export function parseAddress(value: string): Address {
  const match = /^(.*):(\d+)$/.exec(value);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || match[1] === '' || port > 65535) {
    throw new InvalidArgumentError(`expected host:port, got ${JSON.stringify(value)}`);
  }
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}
