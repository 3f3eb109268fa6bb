/**
 * Public server metadata (discovery documents, key sets) kept in the state store (globalState in
 * VS Code: shared by every window and kept across restarts; never secrets), each with its fetch
 * time and how long it may be used: the server's `Cache-Control: max-age` when it sent one, else a
 * default (24 h for discovery, 1 h for key sets). `no-store` keeps nothing on disk.
 */

/** The part of the state store this needs (globalState, or a test store). */
export interface MetadataStateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const DISCOVERY_MAX_AGE_MS = 24 * 60 * 60_000;
export const JWKS_MAX_AGE_MS = 60 * 60_000;

/** How long a response may be reused, from its Cache-Control header (ms). */
export function cacheMaxAgeMs(cacheControl: string | null | undefined, defaultMs: number): number {
  if (!cacheControl) return defaultMs;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.includes('no-store')) return 0;
  const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d+)"?$/.exec(d)?.[1]).find((v) => v !== undefined);
  return maxAge === undefined ? defaultMs : Number(maxAge) * 1000;
}

interface Entry<T> {
  value: T;
  fetchedAt: number;
  maxAgeMs: number;
}

export class PersistedCache<T> {
  constructor(
    private readonly state: MetadataStateStore,
    private readonly key: string,
    private readonly now: () => number,
  ) {}

  private entries(): Record<string, Entry<T>> {
    const raw = this.state.get<unknown>(this.key);
    return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, Entry<T>>) : {};
  }

  private fresh(e: Entry<T> | undefined, now: number): e is Entry<T> {
    return !!e && typeof e.fetchedAt === 'number' && typeof e.maxAgeMs === 'number' && e.fetchedAt <= now && now < e.fetchedAt + e.maxAgeMs;
  }

  /** The value stored for `id` while it is still fresh. */
  get(id: string): T | undefined {
    const e = this.entries()[id];
    return this.fresh(e, this.now()) ? e.value : undefined;
  }

  /** Stores a value (and drops entries that are no longer fresh); a zero max-age stores nothing. */
  async put(id: string, value: T, maxAgeMs: number): Promise<void> {
    const now = this.now();
    const kept = Object.fromEntries(Object.entries(this.entries()).filter(([k, e]) => k !== id && this.fresh(e, now)));
    if (maxAgeMs > 0) kept[id] = { value, fetchedAt: now, maxAgeMs };
    await this.state.update(this.key, Object.keys(kept).length ? kept : undefined);
  }

  async delete(id: string): Promise<void> {
    const all = this.entries();
    if (!(id in all)) return;
    delete all[id];
    await this.state.update(this.key, Object.keys(all).length ? all : undefined);
  }

  async clear(): Promise<void> {
    if (this.state.get(this.key) !== undefined) await this.state.update(this.key, undefined);
  }
}
