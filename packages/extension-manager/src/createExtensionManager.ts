// The extension manager of one control plane: connects to the extension server on first use and
// runs a fleet's xDS resources through its hooks. failOpen as Envoy Gateway: false (default), a
// failed hook fails the update, so the fleet keeps its last configuration; true, the failure is
// reported and the resources it concerned go out unmodified.
import type { ExtensionManager as ExtensionManagerConfig } from '@egts/api';
import type { XdsIR } from '@egts/ir';
import type { XdsResources } from '@egts/xds-translator';
import { extendXds, postHooks, withPatches } from './extendXds.js';
import {
  connectExtension,
  type ExtensionClient,
  type ExtensionClientOptions,
  type ExtensionTls,
} from './extensionClient.js';

export interface ExtensionManager {
  /** The EnvoyGateway `extensionManager` this runs. */
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
 * The settings of `config` egts reads but does not act on, each named by its field: custom
 * backends (`backendResources`, the Cluster hook: PostClusterModify) and pre-translation hooks.
 */
export function notAppliedSettings(config: ExtensionManagerConfig): string[] {
  const hooks = config.hooks.xdsTranslator;
  return [
    ...((config.backendResources ?? []).length > 0 ? ['backendResources'] : []),
    ...(hooks?.post?.includes('Cluster') ? ['hooks.xdsTranslator.post: Cluster'] : []),
    ...((hooks?.pre ?? []).length > 0 ? ['hooks.xdsTranslator.pre'] : []),
  ];
}

export function createExtensionManager(
  config: ExtensionManagerConfig,
  options: ExtensionManagerOptions = {},
): ExtensionManager {
  let client: Promise<ExtensionClient> | undefined;
  const connect = () => {
    client ??= (async () => {
      const tls = config.service.tls ? await options.tls?.() : undefined;
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
  const subscribed = postHooks(config).size > 0;
  return {
    config,
    async extend(ir, resources) {
      if (!subscribed) return withPatches(ir, resources);
      let result: Awaited<ReturnType<typeof extendXds>>;
      try {
        result = await extendXds(await connect(), config, ir, resources);
      } catch (error) {
        result = {
          resources: withPatches(ir, resources),
          errors: [`connecting: ${(error as Error).message}`],
        };
      }
      if (result.errors.length === 0) return result.resources;
      if (config.failOpen !== true) throw new ExtensionHookError(result.errors);
      options.onError?.(result.errors);
      return result.resources;
    },
    close() {
      void client?.then((c) => c.close()).catch(() => {});
      client = undefined;
    },
  };
}
