/**
 * The polling loop shared by the device authorization grant (RFC 8628 §3.4-3.5) and CIBA poll mode
 * (CIBA Core §7.3, §11): wait `interval` seconds, ask the token endpoint, keep going on
 * `authorization_pending`, add 5 seconds on every `slow_down`, and stop on success, on any other
 * error, when the request has expired, or when the caller aborts. Time comes from an injected
 * clock, so tests never wait for real seconds.
 */
import { ExplorerError, isExplorerError } from '../errors';

export interface PollClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects with a `cancelled` ExplorerError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function cancelled(what: string): ExplorerError {
  return new ExplorerError('cancelled', `${what} was cancelled.`);
}

/** Real timers. */
export const systemClock: PollClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled('Waiting'));
      const onAbort = () => {
        clearTimeout(timer);
        reject(cancelled('Waiting'));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** RFC 8628 §3.2 and CIBA §7.3: without `interval` the client waits 5 seconds. */
export const DEFAULT_INTERVAL_SECONDS = 5;
/** RFC 8628 §3.5: each `slow_down` adds 5 seconds to the interval, for this and all later polls. */
export const SLOW_DOWN_SECONDS = 5;

export interface PollOptions {
  /** Seconds between polls, as the server said (default 5). */
  intervalSeconds?: number;
  /** When the device code or auth_req_id expires (epoch ms). */
  expiresAt: number;
  clock: PollClock;
  signal?: AbortSignal;
  /** What the user is waiting for, for messages: "Device sign-in", "Backchannel authentication". */
  what: string;
  /** Told every time the interval changes (after a slow_down). */
  onInterval?: (seconds: number) => void;
}

/**
 * Polls until `attempt` succeeds. `attempt` makes one token request and throws an ExplorerError
 * whose code is the server's `error`. The typed results: `access_denied`, `expired_token` (also when
 * `expiresAt` passes without an answer), `cancelled` (no request is made after an abort), or the
 * server's other error as is. `authorization_pending` and `slow_down` never leave this loop.
 */
export async function pollForToken<T>(attempt: () => Promise<T>, opts: PollOptions): Promise<T> {
  const { clock, signal, what } = opts;
  let interval = opts.intervalSeconds && opts.intervalSeconds > 0 ? opts.intervalSeconds : DEFAULT_INTERVAL_SECONDS;
  for (;;) {
    if (signal?.aborted) throw cancelled(what);
    const left = opts.expiresAt - clock.now();
    if (left <= 0) throw expired(what);
    try {
      // Never sleep past the expiry: the last poll happens at it, then the loop says "expired".
      await clock.sleep(Math.min(interval * 1000, left), signal);
    } catch (err) {
      if (signal?.aborted) throw cancelled(what);
      throw err;
    }
    if (signal?.aborted) throw cancelled(what);
    if (clock.now() >= opts.expiresAt) throw expired(what);
    try {
      return await attempt();
    } catch (err) {
      if (signal?.aborted || isExplorerError(err, 'cancelled')) throw cancelled(what);
      if (isExplorerError(err, 'authorization_pending')) continue;
      if (isExplorerError(err, 'slow_down')) {
        interval += SLOW_DOWN_SECONDS;
        opts.onInterval?.(interval);
        continue;
      }
      if (isExplorerError(err, 'access_denied')) {
        throw new ExplorerError('access_denied', `${what} was denied: the user did not approve the request${err.description ? ` (${err.description})` : ''}.`, {
          status: err.status,
          description: err.description,
          cause: err,
        });
      }
      if (isExplorerError(err, 'expired_token')) throw expired(what, err);
      throw err;
    }
  }
}

function expired(what: string, cause?: ExplorerError): ExplorerError {
  return new ExplorerError('expired_token', `${what} expired before the user approved it: start again for a new code.`, {
    status: cause?.status,
    description: cause?.description,
    cause,
  });
}
