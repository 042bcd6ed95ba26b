// The extension manager of one control plane: connects to the extension server on first use and
// runs a fleet's xDS resources through its hooks. failOpen as Envoy Gateway: false (default), a
// failed hook fails the update, so the fleet keeps its last configuration; true, the failure is
// reported and the resources it concerned go out unmodified.
import type { ExtensionManager as ExtensionManagerConfig } from '@egts/api';
import type { XdsIR } from '@egts/ir';
import type { XdsResources } from '@egts/xds-translator';
import { extendXdsChain, postHooks, withPatches } from './extendXds.js';
import {
  connectExtension,
  type ExtensionClient,
  type ExtensionClientOptions,
  type ExtensionTls,
} from './extensionClient.js';

export interface ExtensionManager {
  /** The EnvoyGateway `extensionManager` this runs (the first of a chain). */
  readonly config: ExtensionManagerConfig;
  /**
   * `resources` (translated from `unpatched(ir)`) after the extension's hooks and the IR's
   * EnvoyPatchPolicies, in Envoy Gateway's order. Rejects with an ExtensionHookError when a hook
   * failed and failOpen is off; with failOpen, failures go to `onError` and are otherwise ignored.
   */
  extend(ir: XdsIR, resources: XdsResources): Promise<XdsResources>;
  close(): void;
}

/** A hook failed and the extension manager does not fail open. */
export class ExtensionHookError extends Error {
  constructor(readonly failures: readonly string[]) {
    super(`extension server hooks failed: ${failures.join('; ')}`);
    this.name = 'ExtensionHookError';
  }
}

export interface ExtensionManagerOptions extends Omit<ExtensionClientOptions, 'tls'> {
  /** The TLS material `service.tls` names (its Secrets), read when the first hook is called. */
  readonly tls?: (() => Promise<ExtensionTls>) | undefined;
  /** Hook failures ignored because of failOpen. */
  readonly onError?: ((failures: readonly string[]) => void) | undefined;
}

/**
 * The settings of `config` egts reads but does not act on, each named by its field: the
 * pre-translation hooks.
 */
export function notAppliedSettings(config: ExtensionManagerConfig): string[] {
  const hooks = config.hooks.xdsTranslator;
  return [...((hooks?.pre ?? []).length > 0 ? ['hooks.xdsTranslator.pre'] : [])];
}

/** One extension of EnvoyGateway `extensionManagers`: its settings and its name. */
export interface NamedExtensionManager {
  readonly name: string;
  readonly config: ExtensionManagerConfig;
  /** The TLS material its `service.tls` names. */
  readonly tls?: (() => Promise<ExtensionTls>) | undefined;
}

/**
 * The extension manager of one extension server (`config`) or of a chain of them (EnvoyGateway
 * `extensionManagers`, called in their order at each hook, as Envoy Gateway's composite manager).
 * Each extension fails open or not on its own: a failure of one that fails open is reported
 * (`onError`) and the chain goes on without it; one of an extension that does not fails the
 * update. An extension that cannot be reached counts as a failure of each of its hooks.
 */
export function createExtensionManager(
  config: ExtensionManagerConfig | readonly NamedExtensionManager[],
  options: ExtensionManagerOptions = {},
): ExtensionManager {
  const named: readonly NamedExtensionManager[] = Array.isArray(config)
    ? (config as readonly NamedExtensionManager[])
    : [{ name: '', config: config as ExtensionManagerConfig, tls: options.tls }];
  const chained = named.length > 1;
  const links = named
    .filter((n) => postHooks(n.config).size > 0)
    .map((n) => ({ ...n, connect: connector(n.config, n.tls, options) }));
  const first = named[0]?.config;
  if (first === undefined) throw new Error('createExtensionManager: no extension manager given');
  return {
    config: first,
    async extend(ir, resources) {
      if (links.length === 0) return withPatches(ir, resources);
      const targets = [];
      const errors: string[] = [];
      const fatal: string[] = [];
      for (const link of links) {
        try {
          targets.push({
            client: await link.connect(),
            manager: link.config,
            ...(chained ? { name: link.name } : {}),
          });
        } catch (error) {
          const message = `${chained ? `extension ${link.name}: ` : ''}connecting: ${(error as Error).message}`;
          errors.push(message);
          if (link.config.failOpen !== true) fatal.push(message);
        }
      }
      const result =
        fatal.length > 0
          ? { resources: withPatches(ir, resources), errors: [], fatal: [] }
          : await extendXdsChain(targets, ir, resources);
      errors.push(...result.errors);
      fatal.push(...result.fatal);
      if (fatal.length > 0) throw new ExtensionHookError(errors);
      if (errors.length > 0) options.onError?.(errors);
      return result.resources;
    },
    close() {
      for (const link of links) link.connect.close();
    },
  };
}

/** A lazy connection to one extension server, set up again after a failed set-up. */
function connector(
  config: ExtensionManagerConfig,
  tlsOf: (() => Promise<ExtensionTls>) | undefined,
  options: ExtensionManagerOptions,
) {
  let client: Promise<ExtensionClient> | undefined;
  const connect = () => {
    client ??= (async () => {
      const tls = config.service.tls ? await tlsOf?.() : undefined;
      if (config.service.tls && tls === undefined)
        throw new Error('extensionManager.service.tls is set but no TLS material was given');
      return connectExtension(config, { tls, callTimeoutMs: options.callTimeoutMs });
    })();
    // A failed set-up (a Secret not there yet) is tried again on the next update.
    client.catch(() => {
      client = undefined;
    });
    return client;
  };
  return Object.assign(connect, {
    close() {
      void client?.then((c) => c.close()).catch(() => {});
      client = undefined;
    },
  });
}
