/**
 * An injected clock for the polling grants: `sleep` advances time at once and records how long it
 * was asked to wait, so tests of intervals, slow_down and expiry never wait for real seconds.
 * `onSleep` runs inside each wait (to approve a request, or abort, "while" the client waits).
 */
import { ExplorerError } from '../../src/core/errors';
import type { PollClock } from '../../src/core/grants/polling';
import type { Clock } from '../../src/core/scheduler';

export class FakeClock implements PollClock {
  readonly sleeps: number[] = [];
  onSleep?: (index: number) => void | Promise<void>;
  constructor(public t = Date.now()) {}
  now = (): number => this.t;
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) throw new ExplorerError('cancelled', 'Waiting was cancelled.');
    this.sleeps.push(ms);
    this.t += ms;
    await this.onSleep?.(this.sleeps.length - 1);
    if (signal?.aborted) throw new ExplorerError('cancelled', 'Waiting was cancelled.');
  };
}

/**
 * A clock for timer-driven code (the auto-refresh scheduler, the ticker): timers fire only when the
 * test advances time, in order, each at its own moment.
 */
export class FakeTimers implements Clock {
  t = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): number => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  /** When the pending timers are due. */
  get armed(): number[] {
    return this.timers.map((x) => x.at);
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Advances time, firing the due timers in order. */
  advance(ms: number): void {
    void this.run(ms, false);
  }
  /** The same, letting each timer's async work settle before the next one fires. */
  advanceSettled(ms: number): Promise<void> {
    return this.run(ms, true);
  }
  private async run(ms: number, settle: boolean): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
      if (settle) for (let i = 0; i < 20; i++) await Promise.resolve();
    }
    this.t = end;
  }
}
