/**
 * One "VS Code window" for the cross-window tests: a plain Node process (forked by the test) with
 * the real TokenService, the real file lock and the real auto-refresh scheduler over file-backed
 * stores that every such process shares (see fileStores.ts). Driven over the IPC channel:
 *
 *   → { type: 'init', dir, timeoutMs }                 ← { type: 'ready' }
 *   → { type: 'refresh', id }                          ← { type: 'result', info } | { type: 'error', code, message }
 *   → { type: 'autoRefresh', leadMs, clockShiftMs }    ← { type: 'result', … } | { type: 'error', … } per attempt
 *     (a new scheduler each time, seeing the token list as this process last read it)
 *   → { type: 'holdLock', key, holdMs }                ← { type: 'holding' }  (never released: the test kills this process)
 *
 * Before it waits for a lock the process says { type: 'waiting', key }, so a test can hold a lock
 * until every process has read the stored set and queued behind it, and then let them race.
 */
import * as path from 'node:path';
import { isExplorerError } from '../../src/core/errors';
import { type CrossWindowLock, FileLock } from '../../src/core/lock';
import { AutoRefreshScheduler } from '../../src/core/scheduler';
import { TokenService } from '../../src/core/service';
import { FileSecrets, FileState } from './fileStores';

type Message =
  | { type: 'init'; dir: string; timeoutMs: number }
  | { type: 'refresh'; id: string }
  | { type: 'autoRefresh'; leadMs: number; clockShiftMs: number }
  | { type: 'holdLock'; key: string; holdMs: number };

const send = (m: Record<string, unknown>) => process.send!(m);
let service: TokenService;
let lock: FileLock;
let shiftMs = 0;
let scheduler: AutoRefreshScheduler | undefined;
let subscription: { dispose(): void } | undefined;
const now = () => Date.now() + shiftMs;

const report = (p: Promise<unknown>) =>
  p.then(
    (info) => send({ type: 'result', info }),
    (err: unknown) => send({ type: 'error', code: isExplorerError(err) ? err.code : 'unexpected', message: err instanceof Error ? err.message : String(err) }),
  );

process.on('message', (m: Message) => {
  switch (m.type) {
    case 'init': {
      // The lock keeps real time: its deadlines are shared with the other processes.
      lock = new FileLock(path.join(m.dir, 'locks'));
      const observed: CrossWindowLock = {
        acquire: (key, opts) => {
          send({ type: 'waiting', key });
          return lock.acquire(key, opts);
        },
      };
      service = new TokenService({
        state: new FileState(path.join(m.dir, 'state')),
        secrets: new FileSecrets(path.join(m.dir, 'secrets')),
        http: () => ({ timeoutMs: m.timeoutMs }),
        now,
        lock: observed,
      });
      send({ type: 'ready' });
      return;
    }
    case 'refresh':
      void report(service.refresh(m.id));
      return;
    case 'autoRefresh': {
      // Each message starts a new scheduler (as a settings change does), with the clock moved.
      shiftMs = m.clockShiftMs;
      scheduler?.dispose();
      scheduler = new AutoRefreshScheduler({
        leadMs: m.leadMs,
        clock: { now, setTimeout: (fn, ms) => setTimeout(fn, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
        list: () => service.listTokenSets().filter((t) => t.autoRefresh && (t.status === 'valid' || t.status === 'expired')),
        refresh: (id) => report(service.refresh(id, { onlyIfExpiringWithinMs: m.leadMs })),
      });
      subscription ??= service.onDidChange(() => scheduler?.reschedule());
      scheduler.reschedule();
      return;
    }
    case 'holdLock':
      void lock.acquire(m.key, { waitMs: 5000, holdMs: m.holdMs }).then(() => send({ type: 'holding' }));
      return;
  }
});
