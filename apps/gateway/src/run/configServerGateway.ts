// The host gateway with the config server as its provider: resources pushed over HTTP/gRPC instead
// of read from files. Shared by `egts run --config-server` and `egts server` (type ConfigServer).
import { readFile } from 'node:fs/promises';
import { extensionKinds } from '@egts/api';
import {
  type AnonymousAccess,
  type ConfigServerOptions,
  createConfigServerProvider,
} from '@egts/provider-config-server';
import type { RunningGateway } from './gatewayOptions.js';
import { type HostGatewayOptions, runHostGateway } from './hostGateway.js';

export interface ConfigServerSettings {
  http?: { host: string; port: number } | undefined;
  grpc?: { host: string; port: number } | undefined;
  /** Where accepted resources are kept across restarts. */
  dataDir: string;
  /** A file holding the bearer token (surrounding whitespace ignored). */
  tokenFile?: string | undefined;
  /** PEM files; with `clientCaFile`, clients must present a certificate (mTLS). */
  tls?: { certFile: string; keyFile: string; clientCaFile?: string | undefined } | undefined;
  anonymous?: AnonymousAccess | undefined;
}

/** Checks the settings and reads the files they name into the provider's options. */
async function providerOptions(
  settings: ConfigServerSettings,
  statuses: () => readonly unknown[],
): Promise<ConfigServerOptions> {
  if (settings.http === undefined && settings.grpc === undefined) {
    throw new Error('config server: give an HTTP address, a gRPC address, or both');
  }
  const token =
    settings.tokenFile === undefined
      ? undefined
      : (await readFile(settings.tokenFile, 'utf8')).trim();
  if (token === '') throw new Error(`config server: token file ${settings.tokenFile} is empty`);
  if (token === undefined && settings.tls?.clientCaFile === undefined && !settings.anonymous) {
    throw new Error(
      'config server: refusing to serve without authentication; give a token file, a client CA (mTLS), or allow anonymous access explicitly',
    );
  }
  const tls = settings.tls && {
    cert: await readFile(settings.tls.certFile),
    key: await readFile(settings.tls.keyFile),
    clientCa:
      settings.tls.clientCaFile === undefined
        ? undefined
        : await readFile(settings.tls.clientCaFile),
  };
  return {
    dataDir: settings.dataDir,
    http: settings.http,
    grpc: settings.grpc,
    token,
    tls,
    anonymous: settings.anonymous,
    statuses,
  };
}

export async function runConfigServerGateway(
  settings: ConfigServerSettings,
  host: Omit<HostGatewayOptions, 'paths' | 'provider'>,
): Promise<RunningGateway> {
  const log = host.logging.component('config-server');
  let gateway: RunningGateway | undefined;
  const provider = await createConfigServerProvider({
    ...(await providerOptions(settings, () =>
      gateway ? [...gateway.statuses$.value, ...gateway.pipeline.refused$.value] : [],
    )),
    extensionKinds: extensionKinds(host.extensionManager),
  });
  log.info(
    {
      httpPort: provider.httpPort,
      grpcPort: provider.grpcPort,
      dataDir: settings.dataDir,
      tls: settings.tls !== undefined,
    },
    'config server listening',
  );
  try {
    gateway = await runHostGateway({ ...host, paths: [], provider });
  } catch (error) {
    await provider.close();
    throw error;
  }
  return gateway;
}
