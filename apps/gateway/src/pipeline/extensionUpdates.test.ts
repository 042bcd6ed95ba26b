// Updates through the extension: in order, one at a time, a failed one tried again until it
// goes through, and a superseded one dropped (its Gateway's newer change wins).
import type { XdsIR } from '@egts/ir';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { extensionUpdates } from './extensionUpdates.js';
import type { GatewayIR } from './translatorRunner.js';

const change = (name: string, tag: string): GatewayIR => ({
  name,
  ir: { name: tag } as unknown as XdsIR,
});
const tagOf = (c: GatewayIR) => ('ir' in c ? c.ir.name : 'removed');
const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('extensionUpdates', () => {
  it('tries a failed update again until it goes through', async () => {
    const source = new Subject<GatewayIR>();
    const applied: string[] = [];
    let failures = 2;
    const subscription = extensionUpdates(
      source,
      async (c) => {
        applied.push(tagOf(c));
        return failures-- <= 0;
      },
      10,
    );
    source.next(change('gw', 'v1'));
    await until(() => applied.length === 3);
    expect(applied).toEqual(['v1', 'v1', 'v1']);
    subscription.unsubscribe();
  });

  it("drops a retry once a newer change for its Gateway arrived; other Gateways' stay", async () => {
    const source = new Subject<GatewayIR>();
    const applied: string[] = [];
    const subscription = extensionUpdates(
      source,
      async (c) => {
        applied.push(`${c.name}:${tagOf(c)}`);
        return tagOf(c) !== 'v1';
      },
      30,
    );
    source.next(change('a', 'v1'));
    source.next(change('b', 'v2'));
    source.next(change('a', 'v3'));
    await until(() => applied.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    // a:v1 failed, but a:v3 superseded it: it is not tried again.
    expect(applied).toEqual(['a:v1', 'b:v2', 'a:v3']);
    subscription.unsubscribe();
  });
});
