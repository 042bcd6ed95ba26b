// Judges each fleet's EnvoyProxy bootstrap before a proxy gets it, in host and Kubernetes mode
// alike: a patch that does not apply, or a result Envoy refuses (`envoy --mode validate`), is
// refused with the reason, and the fleet keeps its last good bootstrap. Envoy Gateway refuses an
// invalid EnvoyProxy bootstrap the same way (e2e EnvoyProxyInvalidUpdate); the caller turns the
// events into Gateway status.
import { type ValidationResult, validateEnvoyConfig } from '@egts/envoy-binary';
import type { ProxyEvent } from './events.js';

type BootstrapEvent = Extract<ProxyEvent, { type: 'bootstrap-refused' | 'bootstrap-accepted' }>;

export interface BootstrapJudge {
  /**
   * Why `fleet` may not have this bootstrap (`error`: the patch did not apply), or undefined when
   * it may. A fleet's first refusal, and its first acceptance after one, are emitted.
   */
  judge(fleet: string, bootstrap: { readonly error: string } | object): Promise<string | undefined>;
  /** The fleet may keep what it has (unchanged, or no override): accepted. */
  accept(fleet: string): void;
  /** Fleets not in `fleets` are gone: a refused one is said accepted, once. */
  retain(fleets: ReadonlySet<string>): void;
}

export const createBootstrapJudge = (options: {
  /** The Envoy that validates; undefined: only patches that do not apply are refused. */
  readonly envoyPath: string | undefined;
  /** How Envoy validates a bootstrap; default `validateEnvoyConfig` as it is. */
  readonly validate?: (bootstrap: object, envoyPath: string) => Promise<ValidationResult>;
  readonly onEvent?: ((event: BootstrapEvent) => void) | undefined;
}): BootstrapJudge => {
  // One `envoy --mode validate` per distinct bootstrap text.
  const validations = new Map<string, Promise<ValidationResult>>();
  const refused = new Map<string, string>();
  const accept = (fleet: string) => {
    if (refused.delete(fleet)) options.onEvent?.({ type: 'bootstrap-accepted', proxy: fleet });
  };
  return {
    async judge(fleet, bootstrap) {
      let reason = 'error' in bootstrap ? String(bootstrap.error) : undefined;
      if (reason === undefined && options.envoyPath !== undefined) {
        const key = JSON.stringify(bootstrap);
        let validation = validations.get(key);
        if (validation === undefined) {
          validation = options.validate
            ? options.validate(bootstrap, options.envoyPath)
            : validateEnvoyConfig(bootstrap, { envoyPath: options.envoyPath });
          validations.set(key, validation);
        }
        const result = await validation;
        if (!result.valid)
          reason = `spec.bootstrap: Envoy refuses it: ${result.output.trim().split('\n').slice(-3).join(' ')}`;
      }
      if (reason === undefined) {
        accept(fleet);
        return undefined;
      }
      if (refused.get(fleet) !== reason) {
        refused.set(fleet, reason);
        options.onEvent?.({ type: 'bootstrap-refused', proxy: fleet, reason });
      }
      return reason;
    },
    accept,
    retain(fleets) {
      for (const fleet of [...refused.keys()]) if (!fleets.has(fleet)) accept(fleet);
    },
  };
};
