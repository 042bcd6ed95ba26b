// The objects of an extension server's kinds (EnvoyGateway `extensionManager`): looked up by the
// rules that name them as extensionRef filters, and attached to fleets as extension policies.
import type { ExtensionResource, Resources } from '@egts/api';
import type { ExtensionObject } from '@egts/ir';

/** The registered kinds, as the translator uses them (`group/kind`). */
export interface ExtensionKinds {
  /** Route filter kinds (`resources`). */
  readonly filters: ReadonlySet<string>;
  /** Policy kinds (`policyResources`). */
  readonly policies: ReadonlySet<string>;
}

const groupOf = (apiVersion: string): string =>
  apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';

export const groupKindOf = (object: ExtensionResource): string =>
  `${groupOf(object.apiVersion)}/${object.kind}`;

const byKey = new WeakMap<readonly ExtensionResource[], Map<string, ExtensionResource>>();

/** The extension object `group/kind` named `name` in `namespace`, if read. */
export function findExtensionObject(
  resources: Resources,
  groupKind: string,
  namespace: string,
  name: string,
): ExtensionObject | undefined {
  const all = resources.extensionResources ?? [];
  let index = byKey.get(all);
  if (index === undefined) {
    index = new Map(
      all.map((o) => [
        `${groupKindOf(o)}/${o.metadata.namespace ?? 'default'}/${o.metadata.name}`,
        o,
      ]),
    );
    byKey.set(all, index);
  }
  return index.get(`${groupKind}/${namespace}/${name}`) as ExtensionObject | undefined;
}
