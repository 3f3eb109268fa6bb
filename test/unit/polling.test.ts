/**
 * The polling loop shared by the device and CIBA grants, with an injected clock: intervals,
 * slow_down, the typed ends (access_denied, expired_token, cancelled) and that nothing is asked
 * after a cancel or past the expiry.
 */
import assert from 'node:assert/strict';
import { ExplorerError } from '../../src/core/errors';
import { pollForToken, systemClock } from '../../src/core/grants/polling';
import { FakeClock } from '../support/fakeClock';

const oauthError = (code: string) => new ExplorerError(code, `Token request failed: ${code}.`, { status: 400, description: `${code} from server` });

/** An attempt that answers each error code in turn, then succeeds. */
function script(...codes: string[]) {
  const calls: number[] = [];
  return {
    calls,
    attempt: (clock: FakeClock) => async () => {
      calls.push(clock.t);
      const code = codes[calls.length - 1];
      if (code) throw oauthError(code);
      return 'tokens';
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<ExplorerError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ExplorerError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

describe('polling loop (device and CIBA)', () => {
  it('waits the interval before each poll and keeps going on authorization_pending', async () => {
    const clock = new FakeClock(0);
    const s = script('authorization_pending', 'authorization_pending');
    const result = await pollForToken(s.attempt(clock), { intervalSeconds: 3, expiresAt: 600_000, clock, what: 'Device sign-in' });
    assert.equal(result, 'tokens');
    assert.deepEqual(clock.sleeps, [3000, 3000, 3000]);
    assert.deepEqual(s.calls, [3000, 6000, 9000]);
  });

  it('defaults to 5 seconds when the server gave no interval', async () => {
    const clock = new FakeClock(0);
    await pollForToken(script().attempt(clock), { expiresAt: 600_000, clock, what: 'Device sign-in' });
    assert.deepEqual(clock.sleeps, [5000]);
  });

  it('adds 5 seconds on every slow_down, for all later polls', async () => {
    const clock = new FakeClock(0);
    const intervals: number[] = [];
    const s = script('slow_down', 'authorization_pending', 'slow_down', 'authorization_pending');
    await pollForToken(s.attempt(clock), { intervalSeconds: 1, expiresAt: 600_000, clock, what: 'Device sign-in', onInterval: (n) => intervals.push(n) });
    assert.deepEqual(clock.sleeps, [1000, 6000, 6000, 11000, 11000]);
    assert.deepEqual(intervals, [6, 11]);
  });

  it("stops on access_denied with a typed error in the user's words", async () => {
    const clock = new FakeClock(0);
    const s = script('authorization_pending', 'access_denied');
    const err = await rejection(pollForToken(s.attempt(clock), { intervalSeconds: 1, expiresAt: 600_000, clock, what: 'Device sign-in' }));
    assert.equal(err.code, 'access_denied');
    assert.match(err.message, /Device sign-in was denied: the user did not approve the request \(access_denied from server\)/);
    assert.equal(s.calls.length, 2);
  });

  it("stops on the server's expired_token", async () => {
    const clock = new FakeClock(0);
    const err = await rejection(pollForToken(script('expired_token').attempt(clock), { intervalSeconds: 1, expiresAt: 600_000, clock, what: 'Device sign-in' }));
    assert.equal(err.code, 'expired_token');
    assert.match(err.message, /expired before the user approved it: start again/);
  });

  it('stops with expired_token once expires_in has passed, without asking again', async () => {
    const clock = new FakeClock(0);
    const s = script(...Array(100).fill('authorization_pending'));
    const err = await rejection(pollForToken(s.attempt(clock), { intervalSeconds: 4, expiresAt: 10_000, clock, what: 'Device sign-in' }));
    assert.equal(err.code, 'expired_token');
    // Polls at 4 s and 8 s; the last wait is cut to the expiry (2 s), and then no poll is made.
    assert.deepEqual(s.calls, [4000, 8000]);
    assert.deepEqual(clock.sleeps, [4000, 4000, 2000]);
  });

  it('stops with cancelled when aborted during a wait, and makes no request after it', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const s = script(...Array(100).fill('authorization_pending'));
    clock.onSleep = (i) => (i === 2 ? controller.abort() : undefined);
    const err = await rejection(pollForToken(s.attempt(clock), { intervalSeconds: 1, expiresAt: 600_000, clock, signal: controller.signal, what: 'Device sign-in' }));
    assert.equal(err.code, 'cancelled');
    assert.equal(err.message, 'Device sign-in was cancelled.');
    assert.equal(s.calls.length, 2);
  });

  it("reports an abort during a request as cancelled, not as the request's failure", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const attempt = async () => {
      controller.abort();
      throw new ExplorerError('network', 'socket hang up');
    };
    const err = await rejection(pollForToken(attempt, { intervalSeconds: 1, expiresAt: 600_000, clock, signal: controller.signal, what: 'Backchannel authentication' }));
    assert.equal(err.code, 'cancelled');
  });

  it('passes any other error through as is', async () => {
    const clock = new FakeClock(0);
    const err = await rejection(pollForToken(script('invalid_grant').attempt(clock), { intervalSeconds: 1, expiresAt: 600_000, clock, what: 'Device sign-in' }));
    assert.equal(err.code, 'invalid_grant');
  });

  it("the real clock's wait ends at once on abort", async () => {
    const controller = new AbortController();
    const wait = systemClock.sleep(60_000, controller.signal);
    controller.abort();
    assert.equal((await rejection(wait)).code, 'cancelled');
  });
});
