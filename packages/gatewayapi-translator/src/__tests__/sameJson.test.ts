// sameJson: the splice's deep equality answers as isDeepStrictEqual on translation data, and
// leaves out only the top-level keys it is told to.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sameJson } from '../internal/incremental/sameJson.js';

const status = {
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: 'default' },
  status: {
    conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok' }],
    listeners: [{ name: 'http', attachedRoutes: 3, supportedKinds: [{ kind: 'HTTPRoute' }] }],
  },
};

describe('sameJson', () => {
  const variants: [string, unknown][] = [
    ['a clone', structuredClone(status)],
    ['another message', { ...status, status: { ...status.status, conditions: [{ type: 'x' }] } }],
    ['an extra key', { ...status, extra: 1 }],
    ['a key set to undefined', { ...status, extra: undefined }],
    ['a key missing', { kind: status.kind, metadata: status.metadata }],
    ['an array for an object', { ...status, metadata: [status.metadata] }],
    ['a longer array', { ...status, status: { ...status.status, listeners: [{}, {}] } }],
    ['-0 for 0', { ...status, status: { ...status.status, listeners: [{ attachedRoutes: -0 }] } }],
    ['a Date', { ...status, metadata: new Date(0) }],
    ['null', null],
    ['a string', 'Gateway'],
  ];
  for (const [what, other] of variants) {
    it(`agrees with isDeepStrictEqual for ${what}`, () => {
      expect(sameJson(status, other)).toBe(isDeepStrictEqual(status, other));
      expect(sameJson(other, status)).toBe(isDeepStrictEqual(other, status));
    });
  }

  it('compares NaN and Dates as isDeepStrictEqual does', () => {
    expect(sameJson({ n: Number.NaN }, { n: Number.NaN })).toBe(true);
    expect(sameJson({ d: new Date(1) }, { d: new Date(1) })).toBe(true);
    expect(sameJson({ d: new Date(1) }, { d: new Date(2) })).toBe(false);
  });

  it('leaves out the given keys of the top level only', () => {
    const except = new Set(['attachedRoutes']);
    const listener = status.status.listeners[0]!;
    expect(sameJson(listener, { ...listener, attachedRoutes: 9 }, except)).toBe(true);
    expect(
      sameJson(listener, { name: 'http', supportedKinds: listener.supportedKinds }, except),
    ).toBe(true);
    expect(sameJson(listener, { ...listener, name: 'https' }, except)).toBe(false);
    expect(
      sameJson({ inner: listener }, { inner: { ...listener, attachedRoutes: 9 } }, except),
    ).toBe(false);
  });
});
