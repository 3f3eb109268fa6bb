/**
 * An injected clock for the polling grants: `sleep` advances time at once and records how long it
 * was asked to wait, so tests of intervals, slow_down and expiry never wait for real seconds.
 * `onSleep` runs inside each wait (to approve a request, or abort, "while" the client waits).
 */
import { ExplorerError } from '../../src/core/errors';
import type { PollClock } from '../../src/core/grants/polling';

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
