// Whether a regular expression is one Envoy will load. Envoy compiles every regex with Google RE2
// and rejects the whole resource that carries one RE2 refuses, or one whose compiled "program
// size" is over `re2.max_program_size.error_level` (default 100; Envoy docs,
// type.matcher.v3.RegexMatcher.GoogleRE2). Syntax is checked by re2js, a port of RE2 (Go/RE2J
// syntax, which matches RE2's: no lookaround, no backreferences, no `\u`, no `\cX`, repeats up to
// 1000). The program size is estimated from re2js's compiled program, counted the way RE2's C++
// compiler counts it (see `programSize`).
import { createRequire } from 'node:module';
import type * as Re2js from 're2js';

type RE2JS = Re2js.RE2JS;
// Loaded at the first regular expression, not at import: most configurations have none (#24).
let re2js: typeof Re2js | undefined;
const re2 = (): typeof Re2js => {
  re2js ??= createRequire(import.meta.url)('re2js') as typeof Re2js;
  return re2js;
};

/** Envoy's default `re2.max_program_size.error_level`. */
export const ENVOY_MAX_PROGRAM_SIZE = 100;

/** Why Envoy would reject `pattern`, or undefined when it loads. */
export function re2Error(pattern: string): string | undefined {
  let compiled: RE2JS;
  try {
    compiled = re2().RE2JS.compile(pattern);
  } catch (error) {
    return `not valid RE2: ${(error as Error).message}`;
  }
  const size = programSize(compiled);
  return size > ENVOY_MAX_PROGRAM_SIZE
    ? `RE2 program size ${size} is over Envoy's limit of ${ENVOY_MAX_PROGRAM_SIZE} (re2.max_program_size.error_level)`
    : undefined;
}

interface Inst {
  op: number;
  out: number;
  arg: number;
  runes: ArrayLike<number>;
}

// re2js instruction opcodes (RE2J's Inst).
const ALT = 1;
const ALT_MATCH = 2;
const CAPTURE = 3;
const EMPTY_WIDTH = 4;
const RUNE = 8;
const RUNE1 = 9;
const RUNE_ANY = 10;
const RUNE_ANY_NOT_NL = 11;
const FOLD_CASE = 1;
const EMPTY_BEGIN_TEXT = 4;
const MAX_RUNE = 0x10ffff;

/**
 * The instructions of a required prefix: for `^` followed by a literal string, RE2::Init takes
 * the literal out (Regexp::RequiredPrefix, matched by memcmp) and compiles only the rest, so a
 * long anchored literal such as a ReplacePrefixMatch's `^/some/long/prefix/*` costs nothing in the
 * program Envoy measures. The literal is one run of plain runes, or of case-folded ones.
 */
function requiredPrefix(insts: readonly Inst[], start: number): Set<number> {
  const taken = new Set<number>();
  let pc = start;
  while (insts[pc]?.op === EMPTY_WIDTH && insts[pc]?.arg === EMPTY_BEGIN_TEXT) {
    taken.add(pc);
    pc = insts[pc]!.out;
  }
  if (taken.size === 0) return taken;
  const literal = (inst: Inst | undefined): 'plain' | 'folded' | undefined => {
    if (inst?.op === RUNE1) return 'plain';
    if (inst?.op === RUNE && inst.runes.length === 1 && (inst.arg & FOLD_CASE) !== 0)
      return 'folded';
    return undefined;
  };
  const kind = literal(insts[pc]);
  if (kind === undefined) return new Set();
  while (literal(insts[pc]) === kind && !taken.has(pc)) {
    taken.add(pc);
    pc = insts[pc]!.out;
  }
  return taken;
}

/**
 * RE2 (C++) compiles to byte ranges over UTF-8, so a character class costs about one instruction
 * per ASCII range (a range and its other case fold into one), a class spanning all of U+0080.. is
 * nearly free, and other non-ASCII ranges cost more. The weights were fitted against the sizes
 * Envoy reports for 409 regexes (a corpus of atoms, classes and quantifiers, checked by
 * `re2.envoy.test.ts`); they round up, so the estimate errs towards rejecting.
 */
function programSize(compiled: RE2JS): number {
  const prog = (compiled as unknown as { re2Input?: { prog?: { inst?: Inst[]; start?: number } } })
    .re2Input?.prog;
  const insts = prog?.inst;
  // Should re2js ever change its internals, its own (smaller) count still catches the worst.
  if (!Array.isArray(insts)) return compiled.programSize() + 2;
  const prefix = requiredPrefix(insts, prog?.start ?? -1);
  let size = 4;
  for (const [pc, inst] of insts.entries()) {
    if (prefix.has(pc)) continue;
    switch (inst.op) {
      case ALT:
      case ALT_MATCH:
      case CAPTURE:
      case RUNE1:
        size += 1;
        break;
      case EMPTY_WIDTH:
        size += 0.25;
        break;
      case RUNE_ANY:
        size += 1.25;
        break;
      case RUNE_ANY_NOT_NL:
        size += 2.25;
        break;
      case RUNE:
        size += classCost(Array.from(inst.runes), (inst.arg & FOLD_CASE) !== 0);
        break;
    }
  }
  return Math.ceil(size);
}

function classCost(runes: number[], foldCase: boolean): number {
  const ascii: [number, number][] = [];
  const high: [number, number][] = [];
  for (let i = 0; i + 1 < runes.length; i += 2) {
    const lo = runes[i] as number;
    const hi = runes[i + 1] as number;
    if (lo <= 0x7f) ascii.push([lo, Math.min(hi, 0x7f)]);
    if (hi >= 0x80) high.push([Math.max(lo, 0x80), hi]);
  }
  const upperFolded = ([lo, hi]: [number, number]): boolean =>
    lo >= 0x41 && hi <= 0x5a && (foldCase || ascii.some(([l, h]) => l <= lo + 32 && h >= hi + 32));
  const asciiCost = Math.max(1, ascii.filter((r) => !upperFolded(r)).length) * 1.1;
  const first = high[0];
  if (first === undefined) return asciiCost;
  const allHigh = high.length === 1 && first[0] === 0x80 && first[1] === MAX_RUNE;
  return asciiCost + (allHigh ? 0.25 : 0.6 * Math.min(high.length, 12));
}
