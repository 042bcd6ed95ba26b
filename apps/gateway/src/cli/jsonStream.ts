// A JSON array written one element at a time, laid out exactly as JSON.stringify(values, null, 2)
// lays it out, so that no string of the whole array is ever built.

/** The pieces of `[...]` for `count` elements, each made by `element(i)` only when it is written. */
export function* jsonArrayChunks(
  count: number,
  element: (i: number) => unknown,
): Generator<string> {
  if (count === 0) {
    yield '[]\n';
    return;
  }
  for (let i = 0; i < count; i++) {
    const text = JSON.stringify(element(i), null, 2).replaceAll('\n', '\n  ');
    yield `${i === 0 ? '[\n' : ',\n'}  ${text}`;
  }
  yield '\n]\n';
}
