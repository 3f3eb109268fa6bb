/**
 * A lock every extension host on the machine respects: VS Code windows are separate processes that
 * share one secret store, and PingOne's rotating refresh tokens punish two of them refreshing the
 * same set at once (the second use of a rotated refresh token revokes the chain). The service asks
 * for the lock through the small interface below; the extension injects the file-based one with a
 * folder under its global storage. It needs no `vscode`, so two plain Node processes share it in
 * tests exactly as two windows do.
 *
 * The file lock: `<folder>/<key>.lock` holds the owner (host, pid, a random token) and a deadline.
 * It is created complete and atomically (written under a unique name, then hard-linked to the lock
 * name, which fails if the name exists; `wx` where hard links are not supported). A lock whose
 * deadline has passed, or whose owner on this host is no longer running, is stale: a waiter takes
 * it over under a short second lock (`<key>.lock.break`), so that two waiters never both break it.
 * Release removes the file only while it is still the owner's.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExplorerError } from './errors';

export type ReleaseLock = () => Promise<void>;

export interface LockOptions {
  /** How long to wait for the lock before giving up with a `timeout` error. */
  waitMs: number;
  /** How long the lock stays valid if its owner never releases it (a crash): others take it over after. */
  holdMs: number;
  signal?: AbortSignal;
}

export interface CrossWindowLock {
  acquire(key: string, opts: LockOptions): Promise<ReleaseLock>;
}

interface Owner {
  host: string;
  pid: number;
  token: string;
  deadline: number;
}

export interface FileLockOptions {
  now?: () => number;
  /** Whether a process of this host is running (default: signal 0). */
  isAlive?: (pid: number) => boolean;
  /** First retry delay while the lock is held; doubles up to 100 ms. */
  pollMs?: number;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function randomToken(): string {
  return globalThis.crypto.randomUUID();
}

const BREAK_HOLD_MS = 5_000;

export class FileLock implements CrossWindowLock {
  private readonly now: () => number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly pollMs: number;
  private readonly host = os.hostname();

  constructor(
    private readonly folder: string,
    opts: FileLockOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.isAlive = opts.isAlive ?? processIsAlive;
    this.pollMs = opts.pollMs ?? 10;
  }

  private file(key: string): string {
    return path.join(this.folder, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  }

  async acquire(key: string, opts: LockOptions): Promise<ReleaseLock> {
    try {
      return await this.take(key, opts);
    } catch (err) {
      if (err instanceof ExplorerError) throw err;
      const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new ExplorerError(
        'storage_error',
        `VS Code windows could not coordinate this refresh: the lock folder ${this.folder} is not usable (${reason}). Check that VS Code can write to its global storage folder.`,
        { cause: err },
      );
    }
  }

  private async take(key: string, opts: LockOptions): Promise<ReleaseLock> {
    const file = this.file(key);
    const giveUpAt = this.now() + opts.waitMs;
    await fs.mkdir(this.folder, { recursive: true });
    let delay = this.pollMs;
    for (;;) {
      if (opts.signal?.aborted) throw new ExplorerError('cancelled', 'Cancelled while waiting for another VS Code window.');
      const owner: Owner = { host: this.host, pid: process.pid, token: randomToken(), deadline: this.now() + opts.holdMs };
      if (await this.tryCreate(file, owner)) return () => this.release(file, owner.token);
      const held = await this.read(file);
      if (held === 'absent') continue; // released between our attempt and the read: try again at once
      // Broken: try again at once. Someone else is breaking it: wait like for a live lock.
      if (this.isStale(held) && (await this.breakStale(file, held))) continue;
      if (this.now() >= giveUpAt) {
        throw new ExplorerError(
          'timeout',
          `Another VS Code window is refreshing or revoking these tokens and did not finish within ${Math.round(opts.waitMs / 100) / 10} s. Try again in a moment.`,
        );
      }
      await wait(delay, opts.signal);
      delay = Math.min(delay * 2, 100);
    }
  }

  /** Creates the lock file complete, or returns false when it exists. */
  private async tryCreate(file: string, owner: Owner): Promise<boolean> {
    const content = JSON.stringify(owner);
    const temp = `${file}.${owner.token}.tmp`;
    await fs.writeFile(temp, content);
    try {
      await fs.link(temp, file);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
      // No hard links on this file system: exclusive create (a reader may briefly see it empty).
      try {
        await fs.writeFile(file, content, { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      }
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  /**
   * The owner recorded in a lock file, or 'absent'. An unreadable file is being written (the
   * exclusive-create fallback) or damaged: it counts as an unknown owner whose lock ends a few
   * seconds after the file was last written.
   */
  private async read(file: string): Promise<Owner | 'absent'> {
    try {
      const text = await fs.readFile(file, 'utf8');
      try {
        const o = JSON.parse(text) as Owner;
        if (typeof o.pid === 'number' && typeof o.deadline === 'number' && typeof o.token === 'string') return o;
      } catch {
        // unreadable: below
      }
      const { mtimeMs } = await fs.stat(file);
      return { host: '', pid: 0, token: `unreadable:${mtimeMs}`, deadline: mtimeMs + BREAK_HOLD_MS };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
      throw err;
    }
  }

  private isStale(owner: Owner): boolean {
    if (this.now() >= owner.deadline) return true;
    return owner.host === this.host && !this.isAlive(owner.pid);
  }

  /** Removes a stale lock, unless someone else broke it and took the lock meanwhile. False when another waiter is at it. */
  private async breakStale(file: string, stale: Owner): Promise<boolean> {
    const breaker: Owner = { host: this.host, pid: process.pid, token: randomToken(), deadline: this.now() + BREAK_HOLD_MS };
    const breakFile = `${file}.break`;
    if (!(await this.tryCreate(breakFile, breaker))) {
      const other = await this.read(breakFile);
      if (other === 'absent') return true;
      if (!this.isStale(other)) return false;
      await fs.rm(breakFile, { force: true });
      return true;
    }
    try {
      const again = await this.read(file);
      if (again !== 'absent' && again.token === stale.token) await fs.rm(file, { force: true });
      return true;
    } finally {
      await this.release(breakFile, breaker.token);
    }
  }

  private async release(file: string, token: string): Promise<void> {
    const held = await this.read(file);
    if (held !== 'absent' && held.token === token) await fs.rm(file, { force: true });
  }
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
