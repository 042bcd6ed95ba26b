// CEL expressions (SecurityPolicy authorization rules' `cel`) as the parsed AST Envoy's RBAC policy
// `condition` takes (google.api.expr.v1alpha1.Expr): Envoy does not parse CEL text itself
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/rbac/v3/rbac.proto#config-rbac-v3-policy).
// @bufbuild/cel parses to cel.expr.Expr, which is wire-compatible with google.api.expr.v1alpha1.
import { createRequire } from 'node:module';
import type * as Cel from '@bufbuild/cel';
import type * as CelSyntax from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type * as Protobuf from '@bufbuild/protobuf';
import { CelExpr } from '@egts/envoy-api';

// Loaded at the first expression, not at import: @bufbuild/cel brings protobuf's descriptors
// (about 4 MiB of heap and 0.1 s at every start) that a configuration without CEL never needs
// (#24). The three come from one module system, so the parsed message and its schema match.
let cel:
  | {
      parse: typeof Cel.parse;
      ExprSchema: typeof CelSyntax.ExprSchema;
      toBinary: typeof Protobuf.toBinary;
    }
  | undefined;
const celLibraries = () => {
  if (cel === undefined) {
    const require = createRequire(import.meta.url);
    cel = {
      parse: (require('@bufbuild/cel') as typeof Cel).parse,
      ExprSchema: (require('@bufbuild/cel-spec/cel/expr/syntax_pb.js') as typeof CelSyntax)
        .ExprSchema,
      toBinary: (require('@bufbuild/protobuf') as typeof Protobuf).toBinary,
    };
  }
  return cel;
};

/** The AST of `text`, or undefined when it is not CEL. */
export function parseCel(text: string): CelExpr | undefined {
  try {
    const { parse, ExprSchema, toBinary } = celLibraries();
    return CelExpr.decode(toBinary(ExprSchema, parse(text).expr));
  } catch {
    return undefined;
  }
}

const call = (fn: string, ...args: CelExpr[]): CelExpr =>
  CelExpr.fromPartial({ callExpr: { function: fn, args } });

/** CEL's boolean constant `value`. */
export const celBool = (value: boolean): CelExpr =>
  CelExpr.fromPartial({ constExpr: { boolValue: value } });

export const celNot = (e: CelExpr): CelExpr => call('!_', e);

/** The conjunction of `terms` with node ids made unique again (each was parsed on its own). */
export function celAnd(terms: CelExpr[]): CelExpr {
  const joined = terms.reduce((acc, term) => call('_&&_', acc, term));
  let next = 1;
  const renumber = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(renumber);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = renumber(value);
    if (typeof out.id === 'number') out.id = next++;
    return out;
  };
  return renumber(joined) as CelExpr;
}
