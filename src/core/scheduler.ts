/**
 * Auto-refresh: one timer for all token sets (never one per token). It sleeps until the earliest
 * token set is due (`expiresAt - leadMs`), refreshes what is due, and re-arms. A failure backs off
 * exponentially for that set; `invalid_grant` (or any `invalid_input`) stops it for that set until
 * it is re-enabled. Time and timers are injected so tests drive a fake clock.
 */
import { isExplorerError } from './errors';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ScheduledSet {
  id: string;
  expiresAt?: number;
}

export interface SchedulerOptions {
  clock?: Clock;
  /** How long before expiry to refresh. */
  leadMs: number;
  /** First retry delay after a failure; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Token sets that opted in (current snapshot). */
  list(): ScheduledSet[];
  refresh(id: string): Promise<unknown>;
  /** Told when a set stops auto-refreshing because of a permanent error. */
  onStopped?(id: string, error: unknown): void;
  onError?(id: string, error: unknown): void;
}

/** Longest single wait: setTimeout overflows past 2^31-1 ms, and a periodic re-check is cheap. */
const MAX_WAIT_MS = 6 * 60 * 60_000;

export class AutoRefreshScheduler {
  private readonly clock: Clock;
  private handle: unknown;
  private armedFor?: number;
  private running = false;
  private readonly failures = new Map<string, { count: number; retryAt: number }>();
  private readonly stopped = new Set<string>();
  private disposed = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** When the set `id` will next be attempted (for display and tests), or undefined. */
  dueAt(set: ScheduledSet): number | undefined {
    if (this.stopped.has(set.id) || set.expiresAt === undefined) return undefined;
    const failure = this.failures.get(set.id);
    return failure ? failure.retryAt : set.expiresAt - this.opts.leadMs;
  }

  isStopped(id: string): boolean {
    return this.stopped.has(id);
  }

  /** Lets a set auto-refresh again (after a new sign-in, or the user re-enabled it). */
  resume(id: string): void {
    this.stopped.delete(id);
    this.failures.delete(id);
    this.reschedule();
  }

  /** Re-arms the single timer for the earliest due set. Call after any change to the list. */
  reschedule(): void {
    if (this.disposed || this.running) return;
    const due = this.opts
      .list()
      .map((s) => this.dueAt(s))
      .filter((t): t is number => t !== undefined);
    if (!due.length) return this.disarm();
    const next = Math.min(...due);
    if (this.handle !== undefined && this.armedFor === next) return;
    this.disarm();
    this.armedFor = next;
    const wait = Math.min(Math.max(0, next - this.clock.now()), MAX_WAIT_MS);
    this.handle = this.clock.setTimeout(() => void this.tick(), wait);
  }

  private disarm(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = undefined;
  }

  private async tick(): Promise<void> {
    this.handle = undefined;
    this.armedFor = undefined;
    this.running = true;
    try {
      const now = this.clock.now();
      const due = this.opts.list().filter((s) => {
        const at = this.dueAt(s);
        return at !== undefined && at <= now;
      });
      for (const set of due) {
        try {
          await this.opts.refresh(set.id);
          this.failures.delete(set.id);
        } catch (err) {
          if (isExplorerError(err, 'invalid_grant') || isExplorerError(err, 'invalid_input') || isExplorerError(err, 'invalid_client')) {
            this.stopped.add(set.id);
            this.failures.delete(set.id);
            this.opts.onStopped?.(set.id, err);
          } else {
            const count = (this.failures.get(set.id)?.count ?? 0) + 1;
            const base = this.opts.backoffMs ?? 30_000;
            const delay = Math.min(base * 2 ** (count - 1), this.opts.maxBackoffMs ?? 15 * 60_000);
            this.failures.set(set.id, { count, retryAt: this.clock.now() + delay });
            this.opts.onError?.(set.id, err);
          }
        }
      }
    } finally {
      this.running = false;
      this.reschedule();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.disarm();
  }
}
