// `egts run -f PATH`: the embedded default — the file provider, Envoy as local processes and the
// xDS server, with no configuration file. `--config-server ADDR` takes resources from the config
// server instead of files.
import { Command } from 'commander';
import { type Address, parseAddress } from './address.js';
import {
  addConfigServerOptions,
  type ConfigServerCliOptions,
  configServerSettings,
} from './configServerOptions.js';

interface RunOptions extends ConfigServerCliOptions {
  filename?: string[];
  xdsAddress: Address;
  adminAddress: Address;
  controllerName?: string;
  logLevel: string;
  proxies: boolean;
}

export function runCommand(): Command {
  const command = new Command('run')
    .description(
      'serve the resources in files (watched for changes), or pushed to the config server, through local Envoy proxies',
    )
    .option(
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
    .option('--no-proxies', 'serve xDS only; start no Envoy');
  return addConfigServerOptions(command).action(async (options: RunOptions) => {
    let configServer: ReturnType<typeof configServerSettings>;
    try {
      configServer = configServerSettings(options);
    } catch (error) {
      command.error(`error: ${(error as Error).message}`);
    }
    if ((configServer === undefined) === (options.filename === undefined)) {
      command.error('error: give either -f/--filename or --config-server/--config-server-grpc');
    }
    // What the gateway runs loads when it starts, not when the command is defined; the config
    // server's gRPC service only when resources come from it.
    const [{ createLogging }, { closeOnSignals, runHostGateway }] = await Promise.all([
      import('../logging.js'),
      import('../run/hostGateway.js'),
    ]);
    const logging = createLogging({ default: options.logLevel });
    const host = {
      xds: options.xdsAddress,
      admin: options.adminAddress,
      controllerName: options.controllerName,
      withoutProxies: !options.proxies,
      logging,
    };
    const gateway = configServer
      ? await import('../run/configServerGateway.js').then(({ runConfigServerGateway }) =>
          runConfigServerGateway(configServer, host).catch((error: Error) =>
            command.error(`error: ${error.message}`),
          ),
        )
      : await runHostGateway({ ...host, paths: options.filename ?? [] });
    closeOnSignals(gateway, logging);
  });
}
