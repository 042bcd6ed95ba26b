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
  if (list.length === 0) return [item];
  // concat makes an array of the exact size and keeps it packed (new Array(n) would be holey).
  return list.concat([item]);
}
