// JSON pointers of EnvoyPatchPolicies read against egts's proto3 JSON. Envoy Gateway patches the
// JSON its protojson writes with proto field names (`default_filter_chain`); @egts/envoy-api writes
// lowerCamelCase JSON names (`defaultFilterChain`) and reads both. So each pointer token is
// matched against the document as it is: a key that exists is used as written, else its
// lowerCamelCase form when that exists, else (a new key) the lowerCamelCase form of a snake_case
// field name. Map keys (filter names such as `envoy.filters.http.ext_authz`, Struct keys) are
// found as written because they are present, or are not field-shaped when new.
import { isRecord } from '@egts/api';

const FIELD_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;

const camel = (token: string): string =>
  token.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const unescapeToken = (token: string): string => token.replaceAll('~1', '/').replaceAll('~0', '~');
const escapeToken = (token: string): string => token.replaceAll('~', '~0').replaceAll('/', '~1');

/** The key `token` stands for in `container` (an object of the document, or absent). */
const keyIn = (container: unknown, token: string): string => {
  if (!isRecord(container) || Object.hasOwn(container, token)) return token;
  const asJsonName = camel(token);
  if (Object.hasOwn(container, asJsonName)) return asJsonName;
  return FIELD_NAME.test(token) ? asJsonName : token;
};

/** `pointer` (RFC 6901) rewritten to the keys of `document`. */
export function toDocumentPointer(document: unknown, pointer: string): string {
  if (pointer === '') return pointer;
  let node: unknown = document;
  const out: string[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    const token = unescapeToken(raw);
    const key = Array.isArray(node) ? token : keyIn(node, token);
    out.push(escapeToken(key));
    node = Array.isArray(node)
      ? node[Number(token)]
      : isRecord(node)
        ? (node as Record<string, unknown>)[key]
        : undefined;
  }
  return `/${out.join('/')}`;
}

/**
 * A copy of `document` in which every missing parent of `pointer` exists, as Envoy Gateway's
 * patcher does for `add` (json-patch's EnsurePathExistsOnAdd): an object, or an array when the
 * next token is an index. `pointer` must already be a document pointer.
 */
export function withParents(document: unknown, pointer: string): unknown {
  const tokens = pointer.slice(1).split('/').map(unescapeToken);
  if (tokens.length < 2) return document;
  const root = structuredClone(document);
  let node: unknown = root;
  for (const [i, token] of tokens.slice(0, -1).entries()) {
    const next = tokens[i + 1] ?? '';
    const fresh = /^(\d+|-)$/.test(next) ? [] : {};
    if (Array.isArray(node)) {
      const index = Number(token);
      if (node[index] === undefined) return root; // an index past the end: let the patch fail
      node = node[index];
    } else if (isRecord(node)) {
      if (node[token] === undefined || node[token] === null) node[token] = fresh;
      node = node[token];
    } else {
      return root;
    }
  }
  return root;
}
