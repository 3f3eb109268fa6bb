/**
 * The cross-window file lock on a real folder: exclusion, time-out, take-over of a stale lock
 * (deadline passed, or owner process gone), and release that never removes someone else's lock.
 * The clock is injected; process liveness is the real one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExplorerError } from '../../src/core/errors';
import { FileLock } from '../../src/core/lock';

describe('cross-window file lock', () => {
  let dir: string;
  let clock: number;
  const now = () => clock;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-lock-'));
    clock = 1_000_000;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A lock file as another window would have left it. */
  function leftBehind(key: string, owner: { pid: number; deadline: number; host?: string }) {
    fs.writeFileSync(path.join(dir, `${key}.lock`), JSON.stringify({ host: owner.host ?? os.hostname(), token: 'other', ...owner }));
  }

  async function timeout(p: Promise<unknown>): Promise<ExplorerError> {
    const err = await p.then(
      () => assert.fail('expected a time-out'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ExplorerError && err.code === 'timeout', String(err));
    return err;
  }

  it('lets one holder in at a time, and the next one in after release', async () => {
    // Real time here: the second one waits for its time-out.
    const a = new FileLock(dir);
    const b = new FileLock(dir);
    const release = await a.acquire('k', { waitMs: 100, holdMs: 60_000 });
    const err = await timeout(b.acquire('k', { waitMs: 200, holdMs: 60_000 }));
    assert.match(err.message, /Another VS Code window is refreshing or revoking these tokens and did not finish within 0\.2 s/);
    await release();
    const again = await b.acquire('k', { waitMs: 50, holdMs: 60_000 });
    await again();
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('takes over a lock whose live owner let its deadline pass, not before', async () => {
    leftBehind('k', { pid: process.pid, deadline: clock + 5_000 });
    const lock = new FileLock(dir, { now });
    await timeout(lock.acquire('k', { waitMs: 0, holdMs: 60_000 }));
    clock += 5_000;
    const release = await lock.acquire('k', { waitMs: 0, holdMs: 60_000 });
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'k.lock'), 'utf8')).pid, process.pid);
    await release();
  });

  it('takes over at once the lock of an owner that is no longer running', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    leftBehind('k', { pid: dead, deadline: clock + 60_000 });
    const release = await new FileLock(dir, { now }).acquire('k', { waitMs: 0, holdMs: 60_000 });
    await release();
  });

  it('trusts only the deadline for an owner on another host', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    leftBehind('k', { pid: dead, deadline: clock + 60_000, host: 'some-other-machine' });
    await timeout(new FileLock(dir, { now }).acquire('k', { waitMs: 0, holdMs: 60_000 }));
  });

  it('lets exactly one of many waiters take over a stale lock', async () => {
    leftBehind('k', { pid: process.pid, deadline: clock - 1 });
    const waiters = Array.from({ length: 8 }, () => new FileLock(dir, { now }).acquire('k', { waitMs: 0, holdMs: 60_000 }));
    const outcomes = await Promise.allSettled(waiters);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const o of outcomes) if (o.status === 'rejected') assert.equal((o.reason as ExplorerError).code, 'timeout');
  });

  it("a holder whose lock was taken over does not remove the new owner's lock on release", async () => {
    const first = new FileLock(dir, { now });
    const releaseFirst = await first.acquire('k', { waitMs: 0, holdMs: 1_000 });
    clock += 1_000;
    const releaseSecond = await new FileLock(dir, { now }).acquire('k', { waitMs: 0, holdMs: 60_000 });
    await releaseFirst();
    await timeout(new FileLock(dir, { now }).acquire('k', { waitMs: 0, holdMs: 60_000 }));
    await releaseSecond();
  });

  it('names the folder when it cannot be used', async () => {
    const blocked = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocked, '');
    const err = await new FileLock(blocked, { now }).acquire('k', { waitMs: 0, holdMs: 60_000 }).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e as ExplorerError,
    );
    assert.ok(err instanceof ExplorerError);
    assert.equal(err.code, 'storage_error');
    assert.match(err.message, /the lock folder .*not-a-folder is not usable \(EEXIST\)/);
  });

  it('stops waiting when cancelled', async () => {
    leftBehind('k', { pid: process.pid, deadline: clock + 60_000 });
    const controller = new AbortController();
    const pending = new FileLock(dir, { now }).acquire('k', { waitMs: 60_000, holdMs: 60_000, signal: controller.signal });
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof ExplorerError && e.code === 'cancelled');
  });
});
