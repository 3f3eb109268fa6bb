/**
 * One clock for everything on screen that shows a time left (the tree's "expires in …", the
 * pinned set's status bar item): a single timer, armed for the earliest moment any *visible*
 * subscriber wants to be woken, and not armed at all while no subscriber is visible or none wants
 * waking. Each subscriber says when it next needs a tick (`next(now)`): every 30 s for the tree,
 * the next minute boundary or colour change for the status bar. Time and timers are injected
 * (the auto-refresh scheduler's Clock), so tests drive it with a fake clock.
 */
import { type Clock, systemClock } from './scheduler';

export interface TickerSubscriber {
  /** When this subscriber next wants `tick` (epoch ms), or undefined for no tick until it reschedules. */
  next(now: number): number | undefined;
  tick(now: number): void;
}

export interface TickerSubscription {
  /** Shown or hidden: only visible subscribers are ticked, and only they keep the timer running. */
  setVisible(visible: boolean): void;
  /** Asks `next` again (after a change that moves the subscriber's next tick). */
  reschedule(): void;
  dispose(): void;
}

/** setTimeout overflows past 2^31-1 ms; a long sleep is cut into pieces. */
const MAX_SLEEP_MS = 2 ** 31 - 1;

interface Entry {
  subscriber: TickerSubscriber;
  visible: boolean;
  due?: number;
  /** Bumped by every plan(): tells fire() whether a tick already rescheduled its subscriber. */
  planned: number;
}

export class Ticker {
  private readonly entries = new Set<Entry>();
  private handle: unknown;
  private armedFor?: number;

  constructor(private readonly clock: Clock = systemClock) {}

  /** The injected clock's time. */
  now(): number {
    return this.clock.now();
  }

  /** Whether the timer is armed (some visible subscriber wants a tick). */
  get running(): boolean {
    return this.armedFor !== undefined;
  }

  subscribe(subscriber: TickerSubscriber, options: { visible?: boolean } = {}): TickerSubscription {
    const entry: Entry = { subscriber, visible: options.visible ?? false, planned: 0 };
    this.entries.add(entry);
    this.plan(entry);
    this.arm();
    return {
      setVisible: (visible) => {
        if (entry.visible === visible || !this.entries.has(entry)) return;
        entry.visible = visible;
        this.plan(entry);
        this.arm();
      },
      reschedule: () => {
        if (!this.entries.has(entry)) return;
        this.plan(entry);
        this.arm();
      },
      dispose: () => {
        if (!this.entries.delete(entry)) return;
        this.arm();
      },
    };
  }

  /** Stops the timer and forgets every subscriber. */
  dispose(): void {
    this.entries.clear();
    this.arm();
  }

  private plan(entry: Entry): void {
    entry.planned++;
    entry.due = entry.visible ? entry.subscriber.next(this.clock.now()) : undefined;
  }

  private arm(): void {
    let earliest: number | undefined;
    for (const e of this.entries) if (e.due !== undefined && (earliest === undefined || e.due < earliest)) earliest = e.due;
    if (earliest === this.armedFor) return;
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = earliest;
    if (earliest === undefined) return;
    const wait = Math.min(MAX_SLEEP_MS, Math.max(0, earliest - this.clock.now()));
    this.handle = this.clock.setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.handle = undefined;
    this.armedFor = undefined;
    const now = this.clock.now();
    for (const e of [...this.entries]) {
      if (!e.visible || e.due === undefined || e.due > now || !this.entries.has(e)) continue;
      e.due = undefined;
      const planned = e.planned;
      try {
        e.subscriber.tick(now);
      } finally {
        // Unless the tick rescheduled (or disposed) the subscriber itself, ask it when it wants the next one.
        if (this.entries.has(e) && e.planned === planned) this.plan(e);
      }
    }
    this.arm();
  }
}
