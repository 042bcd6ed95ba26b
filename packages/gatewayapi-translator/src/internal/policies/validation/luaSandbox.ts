// Envoy Gateway's Strict Lua validation runs scripts in a sandbox (its luavalidator security.lua
// and security.go): functions that escape it are removed (io.popen, os.execute, require, load,
// debug, _G, ...), file access (io.open, io.input, io.output, io.lines, os.remove, os.rename) is
// allowed only under EnvoyProxy `lua.strictValidation.allowedPaths` and never under the protected
// system paths, and environment variables (os.getenv, os.setenv) only those in `allowedEnvVars`.
// egts runs no user code in the control plane: it finds the same calls in the syntax tree, and a
// path or variable name it cannot read there (not a string literal) is refused, failing closed.
import { posix } from 'node:path';

export interface LuaSandbox {
  readonly allowedPaths: readonly string[];
  readonly allowedEnvVars: readonly string[];
}

/** Envoy Gateway's defaultDeniedPaths. */
const DENIED_PATHS = ['/etc', '/proc', '/sys', '/certs', '/var/run/secrets', '/run/secrets'];

/** Globals security.lua sets to nil: calling or reading them fails there. */
const REMOVED_GLOBALS = new Set([
  'require',
  'loadfile',
  'dofile',
  'package',
  'debug',
  'load',
  'loadstring',
  'rawget',
  'rawset',
  'getmetatable',
  'setmetatable',
  'getfenv',
  'setfenv',
  'newproxy',
  'module',
  '_G',
]);

const REMOVED_MEMBERS = new Set(['io.popen', 'os.execute', 'os.exit']);
const PATH_FUNCTIONS = new Set([
  'io.open',
  'io.input',
  'io.output',
  'io.lines',
  'os.remove',
  'os.rename',
]);
/** These may be called with no argument (the default input or output). */
const OPTIONAL_PATH = new Set(['io.input', 'io.output', 'io.lines']);
const ENV_FUNCTIONS = new Set(['os.getenv', 'os.setenv']);

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

const globalName = (node: Node | undefined): string | undefined =>
  node?.type === 'Identifier' && node.isLocal !== true ? (node.name as string) : undefined;

/** `io.open`-style name of a global table's member, or undefined. */
function memberName(node: Node | undefined): string | undefined {
  if (node?.type !== 'MemberExpression' || node.indexer !== '.') return undefined;
  const table = globalName(node.base as Node);
  return table === undefined ? undefined : `${table}.${(node.identifier as Node).name as string}`;
}

/** The call's arguments (`f(a, b)`, `f "a"`, `f {...}`). */
function argumentsOf(call: Node): Node[] {
  if (call.type === 'CallExpression') return call.arguments as Node[];
  if (call.type === 'StringCallExpression') return [call.argument as Node];
  return [call.arguments as Node];
}

/** A string literal's text (luaparse keeps the quotes in `raw`). */
function literal(node: Node | undefined): string | undefined {
  if (node?.type !== 'StringLiteral') return undefined;
  const raw = node.raw as string;
  if (/^(["'])/.test(raw)) return raw.slice(1, -1);
  const long = /^\[(=*)\[\n?([\s\S]*)\]\1\]$/.exec(raw);
  return long?.[2];
}

/** Envoy Gateway's normalizedPath: `/`-separated, absolute, cleaned, no trailing slash. */
const normalized = (value: string): string =>
  posix.normalize(`/${value.replaceAll('\\', '/')}`).replace(/\/+$/, '') || '/';

const under = (path: string, prefixes: readonly string[]): boolean =>
  prefixes.some((p) => p !== '' && (path === p || path.startsWith(`${p}/`)));

function pathProblem(fn: string, value: string, sandbox: LuaSandbox): string | undefined {
  if (
    value
      .replaceAll('\\', '/')
      .split('/')
      .some((s) => s === '.' || s === '..')
  )
    return `${fn}: path traversals are restricted for security`;
  const path = normalized(value);
  if (under(path, DENIED_PATHS))
    return `${fn} restricted for param ${value} (protected system path)`;
  const allowed = sandbox.allowedPaths.filter((p) => p.trim() !== '').map(normalized);
  return under(path, allowed) ? undefined : `${fn} restricted for param ${value}`;
}

/** Why Envoy Gateway's Strict sandbox refuses the script (its syntax tree), or undefined. */
export function luaSandboxProblem(chunk: unknown, sandbox: LuaSandbox): string | undefined {
  for (const node of walk(chunk)) {
    const removed = globalName(node);
    if (removed !== undefined && REMOVED_GLOBALS.has(removed))
      return `${removed} is not available (removed by the Strict validation sandbox)`;
    if (!/CallExpression$/.test(node.type)) continue;
    const fn = memberName(node.base as Node);
    if (fn === undefined) continue;
    if (REMOVED_MEMBERS.has(fn))
      return `${fn} is not available (removed by the Strict validation sandbox)`;
    const args = argumentsOf(node);
    if (PATH_FUNCTIONS.has(fn)) {
      const paths = fn === 'os.rename' ? args.slice(0, 2) : args.slice(0, 1);
      if (paths.length === 0 && OPTIONAL_PATH.has(fn)) continue;
      for (const arg of paths) {
        const value = literal(arg);
        // Not readable without running the script (a file handle of io.input/io.output too).
        if (value === undefined)
          return `${fn}: the path is not a string literal, so it cannot be checked against lua.strictValidation.allowedPaths`;
        const problem = pathProblem(fn, value, sandbox);
        if (problem) return problem;
      }
    }
    if (ENV_FUNCTIONS.has(fn)) {
      const name = literal(args[0]);
      if (name === undefined)
        return `${fn}: the variable name is not a string literal, so it cannot be checked against lua.strictValidation.allowedEnvVars`;
      if (!sandbox.allowedEnvVars.includes(name)) return `${fn} restricted for param ${name}`;
    }
  }
  return undefined;
}
