// `[...list, item]` for the short lists the translator keeps until its output is built.

/**
 * `list` with `item` at the end: a copy of the exact size while the list is short, else `list`
 * itself, pushed to. V8 gives an array pushed to from empty room for 17 elements (136 bytes);
 * a translation keeps thousands of lists of one or two (conditions, policy ancestors, route
 * parents and their attachments) alive through every scavenge until its output is built.
 */
export function appended<T>(list: T[], item: T): T[] {
  if (list.length >= 8) {
    list.push(item);
    return list;
  }
  // Literals make arrays of the exact size, packed, at the cost of an allocation; concat does
  // too, but is a generic builtin (spreadable checks, an argument array) that costs several
  // times more before V8 optimizes its callers, as in a control plane's first translation.
  if (list.length === 0) return [item];
  if (list.length === 1) return [list[0]!, item];
  if (list.length === 2) return [list[0]!, list[1]!, item];
  // (new Array(n) would be holey.)
  return list.concat([item]);
}
