// `egts run -f PATH`: the embedded default — the file provider, Envoy as local processes and the
// xDS server, with no configuration file.
import { Command } from 'commander';
import { createLogging } from '../logging.js';
import { closeOnSignals, runHostGateway } from '../run/hostGateway.js';
import { type Address, parseAddress } from './address.js';

interface RunOptions {
  filename: string[];
  xdsAddress: Address;
  adminAddress: Address;
  controllerName?: string;
  logLevel: string;
  proxies: boolean;
}

export function runCommand(): Command {
  return new Command('run')
    .description('serve the resources in files (watched for changes) through local Envoy proxies')
    .requiredOption(
      '-f, --filename <path...>',
      'YAML/JSON files or directories of them, watched for changes',
    )
    .option('--xds-address <host:port>', 'where the xDS server listens', parseAddress, {
      host: '127.0.0.1',
      port: 18000,
    })
    .option('--admin-address <host:port>', 'where the admin API listens', parseAddress, {
      host: '127.0.0.1',
      port: 19000,
    })
    .option('--controller-name <name>', 'serve GatewayClasses with this controllerName')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--no-proxies', 'serve xDS only; start no Envoy')
    .action(async (options: RunOptions) => {
      const logging = createLogging({ default: options.logLevel });
      const gateway = await runHostGateway({
        paths: options.filename,
        xds: options.xdsAddress,
        admin: options.adminAddress,
        controllerName: options.controllerName,
        withoutProxies: !options.proxies,
        logging,
      });
      closeOnSignals(gateway, logging);
    });
}
