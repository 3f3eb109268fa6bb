// The request benchmark interleaves its methods; a biased order would charge one method for what
// another leaves behind (curl's process exiting), so the orders must be balanced.
import * as assert from 'node:assert/strict';
import { balancedOrders } from '../bench/lib/requests';

describe('benchmark interleaving', () => {
  for (const n of [2, 3, 4, 5, 6]) {
    it(`orders ${n} methods so that each runs once per round and follows every other one equally often`, () => {
      const orders = balancedOrders(n);
      const follows = new Map<string, number>();
      for (const order of orders) {
        assert.deepEqual(
          [...order].sort((a, b) => a - b),
          Array.from({ length: n }, (_, i) => i),
        );
        for (let i = 1; i < order.length; i++) follows.set(`${order[i - 1]}>${order[i]}`, (follows.get(`${order[i - 1]}>${order[i]}`) ?? 0) + 1);
      }
      assert.equal(follows.size, n * (n - 1), 'some method never follows some other');
      assert.equal(new Set(follows.values()).size, 1, `uneven: ${JSON.stringify(Object.fromEntries(follows))}`);
    });
  }
});
