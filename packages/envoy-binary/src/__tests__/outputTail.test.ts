import { describe, expect, it } from 'vitest';
import { createOutputTail } from '../outputTail.js';

describe('output tail', () => {
  it('keeps the last limit characters of whatever chunks were pushed', () => {
    let all = '';
    const tail = createOutputTail(1000);
    for (let i = 0; i < 5000; i++) {
      // Chunks from empty to longer than the limit, as a pipe hands them over.
      const chunk = `line ${i} `.repeat((i * 7919) % 300);
      all += chunk;
      tail.push(chunk);
      if (i % 97 === 0) expect(tail.text()).toBe(all.slice(-1000));
    }
    expect(tail.text()).toBe(all.slice(-1000));
  });

  it('keeps everything while less than the limit was written', () => {
    const tail = createOutputTail(1000);
    tail.push('a\n');
    tail.push('b\n');
    expect(tail.text()).toBe('a\nb\n');
  });
});
