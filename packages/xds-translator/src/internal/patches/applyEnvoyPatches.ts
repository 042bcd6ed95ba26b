// EnvoyPatchPolicy: RFC 6902 JSON patches on the final Envoy resources of a fleet, by type URL and
// name, in the order of the IR (priority), as Envoy Gateway's xDS translator applies them
// (internal/xds/translator/jsonpatch.go): `add` with an empty path adds a whole resource, missing
// parents of an `add` are created, a patched resource must still be a valid message. Unlike Envoy
// Gateway, a policy applies all its patches or none: one failing patch leaves every resource as
// it was before the policy, so a Gateway never runs half a patch.
import { createRequire } from 'node:module';
import {
  Cluster,
  ClusterLoadAssignment,
  Listener,
  type MessageCodec,
  RouteConfiguration,
  Secret,
  SocketAddress_Protocol,
  typeUrlOf,
} from '@egts/envoy-api';
import type { EnvoyPatchPolicyIR, EnvoyPatchPolicyOutcome, JSONPatch } from '@egts/ir';
import type jsonPatch from 'fast-json-patch';
import type { XdsResources } from '../../xdsResources.js';
import { jsonPathPointers } from './jsonPathPointers.js';
import { toDocumentPointer, withParents } from './protoJsonPointer.js';
import { unknownField } from './unknownField.js';

// Loaded at the first patch, not at import: most configurations have no
// EnvoyPatchPolicy (#24).
let jsonPatchLibrary: typeof jsonPatch | undefined;
const patches = (): typeof jsonPatch => {
  jsonPatchLibrary ??= createRequire(import.meta.url)('fast-json-patch') as typeof jsonPatch;
  return jsonPatchLibrary;
};

type ListKey = Exclude<keyof XdsResources, 'envoyPatchPolicies'>;

interface ResourceType {
  readonly list: ListKey;
  readonly codec: MessageCodec<unknown>;
  readonly nameOf: (message: unknown) => string;
}

const entry = <T>(
  list: ListKey,
  codec: MessageCodec<T>,
  nameOf: (message: T) => string,
): [string, ResourceType] => [
  typeUrlOf(codec),
  { list, codec: codec as MessageCodec<unknown>, nameOf: nameOf as (message: unknown) => string },
];

const RESOURCE_TYPES = new Map<string, ResourceType>([
  entry('listeners', Listener, (m) => m.name),
  entry('routes', RouteConfiguration, (m) => m.name),
  entry('clusters', Cluster, (m) => m.name),
  entry('endpoints', ClusterLoadAssignment, (m) => m.clusterName),
  entry('secrets', Secret, (m) => m.name),
]);

class PatchFailure extends Error {
  constructor(
    readonly reason: 'Invalid' | 'ResourceNotFound',
    message: string,
  ) {
    super(message);
  }
}

const describe = (patch: JSONPatch) =>
  `${patch.op} ${patch.path === '' ? '(whole resource)' : patch.path} on ${patch.type.slice(patch.type.lastIndexOf('.') + 1)} ${patch.name}`;

/** The message a patched document stands for; throws PatchFailure when it is not a valid one. */
function decode(type: ResourceType, document: unknown, what: string): unknown {
  let message: unknown;
  try {
    message = type.codec.fromJSON(document);
  } catch (error) {
    throw new PatchFailure('Invalid', `${what}: not a valid resource: ${(error as Error).message}`);
  }
  const unknown = unknownField(document, type.codec.toJSON(message));
  if (unknown !== undefined)
    throw new PatchFailure('Invalid', `${what}: unknown field ${unknown} in the patched resource`);
  return message;
}

/** One patch on the documents staged by the policy so far (keyed `type|name`). */
function applyOne(
  patch: JSONPatch,
  staged: Map<string, unknown>,
  current: (type: ResourceType, name: string) => unknown,
): void {
  const type = RESOURCE_TYPES.get(patch.type);
  if (type === undefined) throw new PatchFailure('Invalid', `unknown xDS type ${patch.type}`);
  if (patch.op === 'add' && patch.path === '' && patch.jsonPath === undefined) {
    const message = decode(type, patch.value ?? {}, describe(patch));
    staged.set(`${patch.type}|${type.nameOf(message)}`, type.codec.toJSON(message));
    return;
  }
  const key = `${patch.type}|${patch.name}`;
  let document = staged.get(key);
  if (document === undefined) {
    const message = current(type, patch.name);
    if (message === undefined)
      throw new PatchFailure('ResourceNotFound', `unable to find xds resource ${key}`);
    document = type.codec.toJSON(message);
  }
  for (const pointer of pointersOf(patch, document)) {
    document = applyAt(patch, pointer, document);
  }
  staged.set(key, document);
}

/** Where `patch` applies in `document`: its path, or each match of its jsonPath. */
function pointersOf(patch: JSONPatch, document: unknown): string[] {
  if (patch.jsonPath === undefined) return [patch.path];
  let pointers: string[];
  try {
    pointers = jsonPathPointers(document, patch.jsonPath, patch.path);
  } catch (error) {
    throw new PatchFailure(
      'Invalid',
      `unable to convert jsonPath: '${patch.jsonPath}' into jsonPointers, err: ${(error as Error).message}`,
    );
  }
  if (pointers.length === 0)
    throw new PatchFailure(
      'Invalid',
      `no jsonPointers were found while evaluating the jsonPath: '${patch.jsonPath}'. Ensure the elements you are trying to select with the jsonPath exist in the document. If you need to add a non-existing property, use the 'path' attribute`,
    );
  return pointers;
}

/** `patch`'s operation at `pointer` (proto field names) of `document`: the new document. */
function applyAt(patch: JSONPatch, pointer: string, document: unknown): unknown {
  const path = toDocumentPointer(document, pointer);
  const operation = {
    op: patch.op,
    path,
    ...(patch.from === undefined ? {} : { from: toDocumentPointer(document, patch.from) }),
    ...(patch.value === undefined ? {} : { value: patch.value }),
  } as jsonPatch.Operation;
  const base = patch.op === 'add' ? withParents(document, path) : document;
  try {
    return patches().applyOperation(base, operation, true, false).newDocument;
  } catch (error) {
    throw new PatchFailure(
      'Invalid',
      `unable to apply ${describe(patch)}: ${(error as Error).message}`,
    );
  }
}

/** Ports below 1024 are served 10000 higher (Envoy Gateway's unprivileged proxies). */
const PRIVILEGED_PORT_SHIFT = 10_000;
const LISTENER_TYPE = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const SCHEME_V2_LISTENER = /^(tcp|udp)-(\d+)$/;

/**
 * Envoy Gateway's xDS name scheme v2 names a listener by protocol and port (`tcp-80`); egts names
 * it after its Gateway listener. A patch naming a listener the v2 way, where no listener has that
 * name, targets the listener bound there (the Gateway port, or the port it is shifted to).
 */
function resolveListenerName(resources: XdsResources, name: string): string {
  const match = SCHEME_V2_LISTENER.exec(name);
  if (!match || resources.listeners.some((l) => l.name === name)) return name;
  const port = Number(match[2]);
  const udp = match[1] === 'udp';
  const bound = (l: XdsResources['listeners'][number], p: number) =>
    l.address?.socketAddress?.portValue === p &&
    (l.address.socketAddress.protocol === SocketAddress_Protocol.UDP) === udp;
  const found =
    resources.listeners.find((l) => bound(l, port)) ??
    resources.listeners.find((l) => bound(l, port + PRIVILEGED_PORT_SHIFT));
  return found?.name ?? name;
}

/** `resources` with each policy's patches applied, and what became of each policy. */
export function applyEnvoyPatches(
  resources: XdsResources,
  named: readonly EnvoyPatchPolicyIR[],
): { resources: XdsResources; outcomes: EnvoyPatchPolicyOutcome[] } {
  const policies = named.map((policy) => ({
    ...policy,
    patches: policy.patches.map((patch) =>
      patch.type === LISTENER_TYPE
        ? { ...patch, name: resolveListenerName(resources, patch.name) }
        : patch,
    ),
  }));
  // Patched and added messages so far, by `type|name`, over the translated resources.
  const patched = new Map<string, { type: ResourceType; message: unknown }>();
  const current = (type: ResourceType, name: string): unknown => {
    const known = patched.get(`${typeUrlOf(type.codec)}|${name}`);
    if (known !== undefined) return known.message;
    return (resources[type.list] as readonly unknown[]).find((m) => type.nameOf(m) === name);
  };
  const outcomes = policies.map((policy): EnvoyPatchPolicyOutcome => {
    const { namespace, name } = policy;
    const staged = new Map<string, unknown>();
    try {
      for (const patch of policy.patches) applyOne(patch, staged, current);
      const decoded = [...staged].map(([key, document]) => {
        const type = RESOURCE_TYPES.get(key.slice(0, key.indexOf('|'))) as ResourceType;
        return [key, { type, message: decode(type, document, key) }] as const;
      });
      for (const [key, value] of decoded) patched.set(key, value);
    } catch (error) {
      if (!(error instanceof PatchFailure)) throw error;
      return { namespace, name, programmed: false, reason: error.reason, message: error.message };
    }
    return {
      namespace,
      name,
      programmed: true,
      reason: 'Programmed',
      message: 'successfully applied patches.',
    };
  });
  if (patched.size === 0) return { resources, outcomes };
  const lists = { ...resources } as Record<ListKey, unknown[]>;
  for (const type of RESOURCE_TYPES.values()) {
    const prefix = `${typeUrlOf(type.codec)}|`;
    const own = [...patched].filter(([key]) => key.startsWith(prefix));
    if (own.length === 0) continue;
    const merged = new Map(lists[type.list].map((m) => [type.nameOf(m), m]));
    for (const [, { message }] of own) merged.set(type.nameOf(message), message);
    lists[type.list] = [...merged.keys()].sort().map((n) => merged.get(n));
  }
  return { resources: lists as unknown as XdsResources, outcomes };
}
