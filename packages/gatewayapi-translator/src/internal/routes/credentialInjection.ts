// An Envoy Gateway HTTPRouteFilter's credentialInjection: the `credential` key of a Secret of the
// filter's namespace, injected as a request header (Authorization unless `header` names another;
// a value the client sent is kept unless `overwrite`), by Envoy's credential injector.
import type { CredentialInjection } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { secretValue } from '../listeners/certificates.js';
import { nsName } from '../types.js';

/** The injection a filter asks for, or why it cannot be served. */
export function credentialInjection(
  ctx: TranslatorContext,
  namespace: string,
  filter: string,
  spec: { credentialInjection?: unknown },
): CredentialInjection | string {
  const injection = (spec.credentialInjection ?? {}) as {
    header?: string;
    overwrite?: boolean;
    credential?: { valueRef?: { name?: string; namespace?: string } };
  };
  const name = injection.credential?.valueRef?.name;
  if (!name) return 'credentialInjection.credential.valueRef names no Secret';
  const secret = ctx.secrets.get(nsName(namespace, name));
  const credential = secret ? secretValue(secret, 'credential') : undefined;
  if (credential === undefined)
    return `credentialInjection: Secret ${namespace}/${name} not found or without a credential key`;
  return {
    name: `${namespace}/${filter}`,
    header: injection.header || 'Authorization',
    overwrite: injection.overwrite === true,
    credential,
  };
}
