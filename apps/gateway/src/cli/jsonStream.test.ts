// jsonArrayChunks writes, piece by piece, exactly what JSON.stringify(values, null, 2) writes.
import { describe, expect, it } from 'vitest';
import { jsonArrayChunks } from './jsonStream.js';

describe('jsonArrayChunks', () => {
  const arrays: unknown[][] = [
    [],
    [1],
    [{ a: [1, { b: 'x\ny' }], c: {} }, [], 'two\nlines', null, { d: [[]] }],
  ];
  for (const values of arrays) {
    it(`writes ${JSON.stringify(values)} as JSON.stringify does`, () => {
      const written = [...jsonArrayChunks(values.length, (i) => values[i])].join('');
      expect(written).toBe(`${JSON.stringify(values, null, 2)}\n`);
    });
  }
});
