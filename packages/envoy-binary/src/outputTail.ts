// The last characters a process wrote. A long-running Envoy writes its stdout access log line by
// line for as long as it serves; keeping all of it grew the host's memory with every request.

export interface OutputTail {
  push(chunk: string): void;
  /** The last `limit` characters pushed (all of them while fewer were). */
  text(): string;
}

export const createOutputTail = (limit: number): OutputTail => {
  let chunks: string[] = [];
  let length = 0;
  const compact = (): string => {
    const all = chunks.join('');
    const kept = all.length > limit ? all.slice(-limit) : all;
    chunks = [kept];
    length = kept.length;
    return kept;
  };
  return {
    push(chunk) {
      chunks.push(chunk);
      length += chunk.length;
      // Compacted once twice the limit is held: each character is copied a bounded number of times.
      if (length > 2 * limit) compact();
    },
    text: compact,
  };
};
