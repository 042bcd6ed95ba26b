// CEL expressions of SecurityPolicy authorization rules, checked against what Envoy's RBAC
// condition can build: Envoy refuses (NACKs) a route configuration whose expression calls a
// function it has no overload for, or uses a comprehension (the all/exists/map/filter macros), and
// a refused route configuration would take every neighbouring route with it. Envoy's expression
// builder registers CEL's standard functions without the string extensions or comprehensions
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/attributes); each
// name/arity below was checked against Envoy 1.40 (apps/conformance egtsAuthzCEL.ts).
import { createRequire } from 'node:module';
import type * as Cel from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

// Loaded at the first expression, not at import: @bufbuild/cel brings protobuf's descriptors
// (about 4 MiB of heap and 0.1 s at every start) that a configuration without CEL never needs
// (#24).
let cel: typeof Cel | undefined;
const celLibrary = (): typeof Cel => {
  cel ??= createRequire(import.meta.url)('@bufbuild/cel') as typeof Cel;
  return cel;
};

const OPERATORS = ['_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_', '_+_', '_-_', '_*_', '_/_', '_%_'];
const TIME_GETTERS = [
  'getFullYear',
  'getMonth',
  'getDate',
  'getDayOfMonth',
  'getDayOfWeek',
  'getDayOfYear',
  'getHours',
  'getMinutes',
  'getSeconds',
  'getMilliseconds',
];

/** `name/arity` of global calls, `.name/arity` of calls on a target (arity without it). */
const SUPPORTED = new Set([
  ...OPERATORS.map((op) => `${op}/2`),
  ...['_&&_/2', '_||_/2', '_?_:_/3', '_[_]/2', '@in/2', '!_/1', '-_/1'],
  ...['size/1', 'matches/2', 'int/1', 'uint/1', 'double/1', 'duration/1', 'timestamp/1', 'type/1'],
  ...['.size/0', '.contains/1', '.startsWith/1', '.endsWith/1', '.matches/1'],
  ...TIME_GETTERS.flatMap((name) => [`.${name}/0`, `.${name}/1`]),
]);

/** Why Envoy could not build `expr`, or undefined. */
function unsupported(expr: Expr | undefined): string | undefined {
  const kind = expr?.exprKind;
  switch (kind?.case) {
    case 'selectExpr':
      return unsupported(kind.value.operand);
    case 'callExpr': {
      const { function: fn, target, args } = kind.value;
      const key = `${target ? '.' : ''}${fn}/${args.length}`;
      if (!SUPPORTED.has(key))
        return `${target ? 'method' : 'function'} ${fn} with ${args.length} argument(s) is not available in Envoy's CEL`;
      return [target, ...args].map(unsupported).find((why) => why !== undefined);
    }
    case 'listExpr':
      return kind.value.elements.map(unsupported).find((why) => why !== undefined);
    case 'structExpr':
      if (kind.value.messageName !== '')
        return `message construction (${kind.value.messageName}) is not available in Envoy's CEL`;
      return kind.value.entries
        .flatMap((e) => [e.keyKind.case === 'mapKey' ? e.keyKind.value : undefined, e.value])
        .map(unsupported)
        .find((why) => why !== undefined);
    case 'comprehensionExpr':
      return "comprehensions (all, exists, exists_one, map, filter) are disabled in Envoy's CEL";
    default:
      return undefined;
  }
}

/** Why `text` cannot become an Envoy RBAC condition (it does not parse, or Envoy lacks a part), or undefined. */
export function celProblem(text: string): string | undefined {
  try {
    return unsupported(celLibrary().parse(text).expr);
  } catch (error) {
    return (error as Error).message;
  }
}
