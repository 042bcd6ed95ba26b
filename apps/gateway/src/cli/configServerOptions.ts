// The `--config-server*` options of `egts run`: serve the config server (HTTP and/or gRPC) as the
// resource provider instead of files.
import { type Command, Option } from 'commander';
import type { ConfigServerSettings } from '../run/configServerGateway.js';
import { type Address, parseAddress } from './address.js';

export interface ConfigServerCliOptions {
  configServer?: Address;
  configServerGrpc?: Address;
  configServerData: string;
  configServerTokenFile?: string;
  configServerTlsCert?: string;
  configServerTlsKey?: string;
  configServerClientCa?: string;
  configServerAllowAnonymous?: 'read' | 'write';
}

export function addConfigServerOptions(command: Command): Command {
  return command
    .option(
      '--config-server <host:port>',
      'serve the config server HTTP API here and take resources from it instead of files',
      parseAddress,
    )
    .option(
      '--config-server-grpc <host:port>',
      'serve the config server gRPC API here',
      parseAddress,
    )
    .option(
      '--config-server-data <dir>',
      'where the config server keeps accepted resources',
      'egts-config-server-data',
    )
    .option('--config-server-token-file <path>', 'bearer token clients must send')
    .option(
      '--config-server-tls-cert <path>',
      'serve the config server over TLS with this certificate',
    )
    .option('--config-server-tls-key <path>', 'the key of --config-server-tls-cert')
    .option(
      '--config-server-client-ca <path>',
      'require client certificates signed by this CA (mTLS)',
    )
    .addOption(
      new Option(
        '--config-server-allow-anonymous <access>',
        'let clients without credentials read, or read and write',
      ).choices(['read', 'write']),
    );
}

/** The settings, when a config server was asked for; undefined otherwise. */
export function configServerSettings(
  options: ConfigServerCliOptions,
): ConfigServerSettings | undefined {
  if (options.configServer === undefined && options.configServerGrpc === undefined)
    return undefined;
  const { configServerTlsCert: certFile, configServerTlsKey: keyFile } = options;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error('--config-server-tls-cert and --config-server-tls-key go together');
  }
  if (options.configServerClientCa !== undefined && certFile === undefined) {
    throw new Error('--config-server-client-ca needs --config-server-tls-cert');
  }
  return {
    http: options.configServer,
    grpc: options.configServerGrpc,
    dataDir: options.configServerData,
    tokenFile: options.configServerTokenFile,
    tls:
      certFile !== undefined && keyFile !== undefined
        ? { certFile, keyFile, clientCaFile: options.configServerClientCa }
        : undefined,
    anonymous: options.configServerAllowAnonymous,
  };
}
