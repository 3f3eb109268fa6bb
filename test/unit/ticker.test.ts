import assert from 'node:assert/strict';
import { FakeTimers } from '../support/fakeClock';
import { Ticker, type TickerSubscriber } from '../../src/core/ticker';

/** A subscriber that wants a tick every `period` ms and records when it got them (relative to t0). */
function every(period: number, clock: FakeTimers): TickerSubscriber & { ticks: number[] } {
  const t0 = clock.t;
  const ticks: number[] = [];
  return { ticks, next: (now) => now + period, tick: (now) => void ticks.push(now - t0) };
}

describe('Ticker (the one timer of the tree and the status bar)', () => {
  it('runs no timer until a subscriber is visible, and stops when the last visible one hides', () => {
    const clock = new FakeTimers();
    const ticker = new Ticker(clock);
    const tree = every(30_000, clock);
    const sub = ticker.subscribe(tree);
    assert.equal(ticker.running, false);
    assert.deepEqual(clock.armed, []);
    clock.advance(120_000);
    assert.deepEqual(tree.ticks, [], 'a hidden subscriber is never ticked');

    sub.setVisible(true);
    assert.equal(ticker.running, true);
    clock.advance(65_000);
    assert.deepEqual(tree.ticks, [150_000, 180_000]);

    sub.setVisible(false);
    assert.equal(ticker.running, false);
    assert.deepEqual(clock.armed, [], 'the timer is cleared, not left to fire');
    clock.advance(300_000);
    assert.deepEqual(tree.ticks, [150_000, 180_000]);
  });

  it('keeps one timer for several subscribers, armed for the earliest visible one, and ticks each on its own schedule', () => {
    const clock = new FakeTimers();
    const ticker = new Ticker(clock);
    const tree = every(30_000, clock);
    const bar = every(60_000, clock);
    const a = ticker.subscribe(tree, { visible: true });
    const b = ticker.subscribe(bar, { visible: true });
    assert.equal(clock.armed.length, 1, 'one timer');
    assert.deepEqual(clock.armed, [clock.t + 30_000]);
    clock.advance(120_000);
    assert.deepEqual(tree.ticks, [30_000, 60_000, 90_000, 120_000]);
    assert.deepEqual(bar.ticks, [60_000, 120_000]);
    assert.equal(clock.armed.length, 1);

    // The tree hides: only the status bar's schedule keeps the timer, at its own pace.
    a.setVisible(false);
    assert.deepEqual(clock.armed, [clock.t + 60_000]);
    clock.advance(120_000);
    assert.deepEqual(tree.ticks, [30_000, 60_000, 90_000, 120_000]);
    assert.deepEqual(bar.ticks, [60_000, 120_000, 180_000, 240_000]);

    b.dispose();
    assert.equal(ticker.running, false);
    assert.deepEqual(clock.armed, []);
  });

  it('follows a subscriber that reschedules (a new expiry), wants no tick (expired), or is disposed in its own tick', () => {
    const clock = new FakeTimers();
    const ticker = new Ticker(clock);
    const t0 = clock.t;
    let wakeAt: number | undefined = t0 + 10_000;
    const ticks: number[] = [];
    const bar = ticker.subscribe({ next: () => wakeAt, tick: (now) => void ticks.push(now - t0) }, { visible: true });
    assert.deepEqual(clock.armed, [t0 + 10_000]);

    // A refresh moves the next change earlier.
    wakeAt = t0 + 4_000;
    bar.reschedule();
    assert.deepEqual(clock.armed, [t0 + 4_000]);
    clock.advance(3_999);
    assert.deepEqual(ticks, []);
    // The token expires at that tick: afterwards the subscriber wants no more ticks.
    wakeAt = undefined;
    clock.advance(1);
    assert.deepEqual(ticks, [4_000]);
    assert.equal(ticker.running, false, 'nothing to wait for once the subscriber wants no tick');
    clock.advance(600_000);
    assert.deepEqual(ticks, [4_000]);

    // A subscriber disposed by its own tick is not asked again and leaves no timer.
    let own: { dispose(): void } | undefined;
    const once: number[] = [];
    const t1 = clock.t;
    own = ticker.subscribe({ next: (now) => now + 1000, tick: (now) => (once.push(now - t1), own?.dispose()) }, { visible: true });
    clock.advance(5_000);
    assert.deepEqual(once, [1_000]);
    assert.equal(ticker.running, false);
    own = undefined;
  });

  it('cuts a sleep longer than setTimeout allows into pieces and still ticks on time', () => {
    const clock = new FakeTimers();
    const ticker = new Ticker(clock);
    const t0 = clock.t;
    const far = 40 * 24 * 3600_000; // 40 days: beyond 2^31-1 ms
    const ticks: number[] = [];
    ticker.subscribe({ next: () => (ticks.length ? undefined : t0 + far), tick: (now) => void ticks.push(now - t0) }, { visible: true });
    assert.ok(clock.armed[0] - t0 <= 2 ** 31 - 1);
    clock.advance(far - 1);
    assert.deepEqual(ticks, []);
    clock.advance(1);
    assert.deepEqual(ticks, [far]);
  });

  it('dispose() stops the timer for good', () => {
    const clock = new FakeTimers();
    const ticker = new Ticker(clock);
    const tree = every(30_000, clock);
    const sub = ticker.subscribe(tree, { visible: true });
    ticker.dispose();
    assert.deepEqual(clock.armed, []);
    sub.setVisible(false);
    sub.setVisible(true);
    clock.advance(120_000);
    assert.deepEqual(tree.ticks, []);
  });
});
