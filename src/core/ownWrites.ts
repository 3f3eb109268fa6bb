/**
 * A state store that keeps what this window wrote. VS Code's extension host replaces its copy of
 * globalState whenever the workbench reports a change, and a report can carry an older snapshot
 * that arrives after a newer write has resolved: read back, it would undo that write, and a list
 * written from it would lose entries. So a key reads as this window's last write while the store
 * reports one of this window's own earlier values for it, for a short while after the write (a late
 * report comes within milliseconds; another window may later return the key to an earlier value on
 * purpose, say by deleting what this window added). A value this window never wrote (another
 * window's, Settings Sync) is taken as it is. Pure: the store and the clock are passed in.
 */
import type { StateStore } from './service';

/** How many earlier values of a key are remembered as this window's own. */
const HISTORY = 8;
/** How long after its write a key ignores reports of this window's earlier values. */
export const LATE_REPORT_MS = 2000;

export class OwnWritesState implements StateStore {
  private readonly written = new Map<string, { latest: string; earlier: string[]; at: number }>();

  constructor(
    private readonly store: StateStore,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(key: string): T | undefined {
    const reported = this.store.get<T>(key);
    const mine = this.written.get(key);
    if (!mine) return reported;
    // After the while, the store's value is the current one: forget the write, so that later
    // reads of a large list (the token index) do not serialise it to compare.
    if (this.now() - mine.at > LATE_REPORT_MS) {
      this.written.delete(key);
      return reported;
    }
    const json = serialise(reported);
    if (json === mine.latest) return reported;
    if (mine.earlier.includes(json)) return parse<T>(mine.latest);
    // Someone else's value: it is the current one from now on.
    this.written.delete(key);
    return reported;
  }

  async update(key: string, value: unknown): Promise<void> {
    const mine = this.written.get(key);
    const before = mine ? [mine.latest, ...mine.earlier] : [serialise(this.store.get(key))];
    this.written.set(key, { latest: serialise(value), earlier: before.slice(0, HISTORY), at: this.now() });
    await this.store.update(key, value);
    const entry = this.written.get(key);
    if (entry) entry.at = this.now();
  }
}

function serialise(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function parse<T>(json: string): T | undefined {
  return json === 'undefined' ? undefined : (JSON.parse(json) as T);
}
