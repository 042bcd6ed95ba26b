// The EnvoyProxy `patch` of a generated Kubernetes object (envoyDeployment.patch, envoyService.patch,
// ...): a JSON merge patch (RFC 7396) or, by default, a Kubernetes strategic merge patch, as Envoy
// Gateway applies them (KubernetesPatchSpec). No maintained npm library implements strategic merge
// (it is Go's k8s.io/apimachinery/pkg/util/strategicpatch); this one follows its documented rules
// for the list fields of the objects egts writes ("Update API Objects in Place Using kubectl patch").
import { jsonMergePatch } from '@egts/api';

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The `patchMergeKey` of the Kubernetes list fields that merge rather than replace, by field name
 * (k8s.io/api core/v1 and apps/v1 types). `ports` merges by `containerPort` in a container and by
 * `port` in a Service. Lists not named here (args, tolerations, loadBalancerSourceRanges, ...) are
 * replaced whole, as the API types declare.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  ownerReferences: 'uid',
};
const PRIMITIVE_MERGE = new Set(['finalizers']);

const mergeKeyOf = (field: string, parent: readonly string[]): string | undefined => {
  if (field === 'ports') return parent.includes('containers') ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
};

const mergeList = (field: string, path: string[], target: Json, patch: Json[]): Json[] => {
  const base = Array.isArray(target) ? target : [];
  if (PRIMITIVE_MERGE.has(field)) return [...new Set([...base, ...patch])];
  const key = mergeKeyOf(field, path);
  // `$patch: replace` as an element replaces the whole list with the other elements.
  if (!key || patch.some((item) => isObject(item) && item.$patch === 'replace'))
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace'));
  const result = [...base];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const at = result.findIndex((old) => isObject(old) && old[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) result.splice(at, 1);
    } else if (at >= 0) result[at] = strategicMerge(result[at], item, [...path, field]);
    else result.push(strategicMerge(undefined, item, [...path, field]));
  }
  return result;
};

/**
 * Kubernetes strategic merge patch: like RFC 7396, except that lists with a merge key merge by
 * it (`$patch: delete` removes an element) and `$patch: replace` in an object replaces it. Pure.
 */
export const strategicMerge = (target: Json, patch: Json, path: string[] = []): Json => {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    // $retainKeys, $setElementOrder and $deleteFromPrimitiveList are not implemented: refused
    // rather than ignored (the fleet keeps its objects).
    if (key === '$patch') continue;
    if (key.startsWith('$'))
      throw new Error(`strategic merge directive ${key} is not supported: use $patch or JSONMerge`);
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, path, result[key], value);
    else {
      const merged = strategicMerge(result[key], value, [...path, key]);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  return result;
};

/** EnvoyProxy KubernetesPatchSpec: `type` StrategicMerge (the default) or JSONMerge. */
export interface KubernetesPatch {
  readonly type?: string;
  readonly value: Json;
}

/** `object` with the EnvoyProxy patch applied, or unchanged without one; throws on an unknown type. */
export const applyObjectPatch = <T>(object: T, patch: KubernetesPatch | undefined): T => {
  if (!patch || patch.value === undefined) return object;
  const type = patch.type ?? 'StrategicMerge';
  if (type === 'JSONMerge') return jsonMergePatch(object, patch.value) as T;
  if (type === 'StrategicMerge') return strategicMerge(object, patch.value) as T;
  throw new Error(`unknown patch type ${type}: StrategicMerge or JSONMerge`);
};
