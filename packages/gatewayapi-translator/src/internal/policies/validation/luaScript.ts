// Lua scripts of EnvoyExtensionPolicies, checked as Envoy Gateway checks them before Envoy loads
// them (EnvoyProxy spec.lua.validationType, or the deprecated spec.luaValidation: Strict by
// default, InsecureSyntax, Disabled). The script must define envoy_on_request or
// envoy_on_response and parse as Lua 5.1 (Envoy runs LuaJIT: "mostly 5.1"). Strict also refuses
// calls of methods the stream handle does not have (Envoy's Lua filter "Stream handle API"), which
// Envoy Gateway finds by running the handlers against mocks; egts finds them in the syntax tree,
// without running user code in the control plane. Strict also applies Envoy Gateway's sandbox
// (luaSandbox.ts: EnvoyProxy lua.strictValidation).
import { createRequire } from 'node:module';
import type luaparse from 'luaparse';
import { type LuaSandbox, luaSandboxProblem } from './luaSandbox.js';

// Loaded at the first script, not at import: most configurations have no Lua (#24).
let luaParser: typeof luaparse | undefined;
const lua = (): typeof luaparse => {
  luaParser ??= createRequire(import.meta.url)('luaparse') as typeof luaparse;
  return luaParser;
};

/** Methods of the handle passed to envoy_on_request/envoy_on_response (Envoy Lua filter docs). */
const STREAM_HANDLE_METHODS = new Set([
  'headers',
  'body',
  'bodyChunks',
  'trailers',
  'metadata',
  'streamInfo',
  'connection',
  'connectionStreamInfo',
  'logTrace',
  'logDebug',
  'logInfo',
  'logWarn',
  'logErr',
  'logCritical',
  'httpCall',
  'respond',
  'importPublicKey',
  'verifySignature',
  'base64Escape',
  'timestamp',
  'timestampString',
  'setUpstreamOverrideHost',
  'clearRouteCache',
  'filterContext',
  'virtualHost',
  'route',
]);

const HANDLERS = ['envoy_on_request', 'envoy_on_response'];

type Node = { type: string; [key: string]: unknown };

function* walk(node: unknown): Generator<Node> {
  if (Array.isArray(node)) {
    for (const child of node) yield* walk(child);
    return;
  }
  if (typeof node !== 'object' || node === null || typeof (node as Node).type !== 'string') return;
  yield node as Node;
  for (const [key, value] of Object.entries(node)) if (key !== 'type') yield* walk(value);
}

/** Handle methods a handler calls (`handle:name(...)`) that the stream handle does not have. */
function unknownHandleMethod(chunk: unknown): string | undefined {
  for (const node of walk(chunk)) {
    if (node.type !== 'FunctionDeclaration') continue;
    const id = node.identifier as Node | null;
    if (id?.type !== 'Identifier' || !HANDLERS.includes(id.name as string)) continue;
    const handle = (node.parameters as Node[])[0];
    if (handle?.type !== 'Identifier') continue;
    for (const call of walk(node.body)) {
      const member = call.base as Node | undefined;
      if (!/CallExpression$/.test(call.type) || member?.type !== 'MemberExpression') continue;
      const base = member.base as Node;
      const method = (member.identifier as Node).name as string;
      if (
        member.indexer === ':' &&
        base.type === 'Identifier' &&
        base.name === handle.name &&
        !STREAM_HANDLE_METHODS.has(method)
      )
        return `${id.name as string}: the stream handle has no method ${method}`;
    }
  }
  return undefined;
}

export type LuaValidation = 'Strict' | 'InsecureSyntax' | 'Disabled';

/** Why Envoy Gateway would refuse this script, or undefined. */
export function luaScriptProblem(
  code: string,
  validation: LuaValidation,
  sandbox: LuaSandbox = { allowedPaths: [], allowedEnvVars: [] },
): string | undefined {
  if (!HANDLERS.some((h) => code.includes(h)))
    return 'expected one of envoy_on_request() or envoy_on_response() to be defined';
  if (validation === 'Disabled') return undefined;
  let chunk: unknown;
  try {
    // `scope`: identifiers say whether they are locals (a local `load` is not the global).
    chunk = lua().parse(code, { luaVersion: '5.1', scope: true });
  } catch (error) {
    return `syntax error: ${(error as Error).message}`;
  }
  if (validation !== 'Strict') return undefined;
  return unknownHandleMethod(chunk) ?? luaSandboxProblem(chunk, sandbox);
}
