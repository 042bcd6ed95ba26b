// `egts server --config envoy-gateway.yaml`: Envoy Gateway's static configuration (kind
// EnvoyGateway). A missing file means Envoy Gateway's defaults. Custom resource providers: File, and
// ConfigServer (an egts addition: @egts/provider-config-server).
import { readFile } from 'node:fs/promises';
import { formatProblem, loadEnvoyGatewayConfig } from '@egts/api';
import { Command } from 'commander';
import { createLogging } from '../logging.js';
import { runConfigServerGateway } from '../run/configServerGateway.js';
import { closeOnSignals, runHostGateway } from '../run/hostGateway.js';
import { type Address, parseAddress } from './address.js';

interface ServerOptions {
  config: string;
  xdsAddress: Address;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function serverCommand(): Command {
  return new Command('server')
    .description('run the control plane from a static configuration (kind EnvoyGateway)')
    .option('-c, --config <path>', 'the EnvoyGateway configuration file', 'envoy-gateway.yaml')
    .option('--xds-address <host:port>', 'where the xDS server listens', parseAddress, {
      host: '127.0.0.1',
      port: 18000,
    })
    .action(async (options: ServerOptions) => {
      const text = await readIfPresent(options.config);
      const { config, problems } = loadEnvoyGatewayConfig(text, options.config);
      if (!config) {
        for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
        process.exitCode = 1;
        return;
      }
      const logging = createLogging(config.logging.level);
      if (text === undefined)
        logging.root.info({ config: options.config }, 'no configuration file: using defaults');
      const { provider } = config;
      const resource = provider.custom?.resource;
      const host = {
        xds: options.xdsAddress,
        admin: config.admin.address,
        controllerName: config.gateway.controllerName,
        withoutProxies: provider.custom?.infrastructure?.type !== 'Host',
        logging,
      };
      if (provider.type === 'Custom' && resource?.type === 'ConfigServer') {
        const settings = resource.configServer;
        if (settings === undefined) {
          process.stderr.write(
            `error: ${options.config}: provider.custom.resource.configServer is required with type ConfigServer\n`,
          );
          process.exitCode = 1;
          return;
        }
        const { tls, allowAnonymous, ...rest } = settings;
        const gateway = await runConfigServerGateway(
          {
            ...rest,
            tls: tls && {
              certFile: tls.certFile,
              keyFile: tls.keyFile,
              clientCaFile: tls.clientCAFile,
            },
            anonymous: allowAnonymous,
          },
          host,
        );
        closeOnSignals(gateway, logging);
        return;
      }
      const file = resource?.file;
      if (provider.type !== 'Custom' || file === undefined) {
        process.stderr.write(
          `error: ${options.config}: provider.type ${provider.type} is not served yet; use provider.type Custom with a File resource provider (the Kubernetes provider is issue 7)\n`,
        );
        process.exitCode = 1;
        return;
      }
      const gateway = await runHostGateway({ ...host, paths: file.paths });
      closeOnSignals(gateway, logging);
    });
}
