// shareUnchanged: unchanged parts of a new translation become the previous objects.
import { describe, expect, it } from 'vitest';
import { shareUnchanged } from '../internal/incremental/shareUnchanged.js';

describe('shareUnchanged', () => {
  it('returns the previous object when everything is equal', () => {
    const before = { name: 'gw', http: [{ name: 'l', routes: [{ name: 'a', x: [1, 2] }] }] };
    const after = structuredClone(before);
    expect(shareUnchanged(before, after)).toBe(before);
  });

  it('keeps unchanged elements (matched by name) and the new content of changed ones', () => {
    const a = { name: 'a', path: '/a' };
    const b = { name: 'b', path: '/b' };
    const before = { name: 'gw', routes: [a, b], tags: ['x'] };
    const after = {
      name: 'gw',
      routes: [{ name: 'c', path: '/c' }, structuredClone(b), { name: 'a', path: '/a2' }],
      tags: ['x'],
    };
    const shared = shareUnchanged(before, after);
    expect(shared).toEqual(after);
    expect(shared).not.toBe(before);
    expect(shared.routes[1]).toBe(b);
    expect(shared.routes[2]).not.toBe(a);
    expect(shared.tags).toBe(before.tags);
  });

  it('treats added, removed and undefined keys as changes', () => {
    const before: Record<string, unknown> = { a: 1, b: undefined };
    expect(shareUnchanged(before, { a: 1 })).toEqual({ a: 1 });
    expect(shareUnchanged(before, { a: 1, c: undefined })).not.toBe(before);
    expect(shareUnchanged({ a: 1 }, { a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
    expect(shareUnchanged(undefined, { a: 1 })).toEqual({ a: 1 });
  });
});
