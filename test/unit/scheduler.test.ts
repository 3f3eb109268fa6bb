import assert from 'node:assert/strict';
import { FakeTimers } from '../support/fakeClock';
import { ExplorerError } from '../../src/core/errors';
import { AutoRefreshScheduler, type ScheduledSet } from '../../src/core/scheduler';

describe('auto-refresh scheduler', () => {
  let clock: FakeTimers;
  let sets: ScheduledSet[];
  let calls: string[];
  let behaviour: (id: string) => Promise<void>;
  let scheduler: AutoRefreshScheduler;
  const stopped: string[] = [];

  beforeEach(() => {
    clock = new FakeTimers();
    calls = [];
    stopped.length = 0;
    behaviour = async (id) => {
      // A successful refresh moves expiry an hour on.
      const s = sets.find((x) => x.id === id)!;
      s.expiresAt = clock.now() + 3600_000;
    };
    scheduler = new AutoRefreshScheduler({
      clock,
      leadMs: 60_000,
      backoffMs: 30_000,
      maxBackoffMs: 120_000,
      list: () => sets,
      refresh: (id) => {
        calls.push(`${id}@${clock.now()}`);
        return behaviour(id);
      },
      onStopped: (id) => stopped.push(id),
    });
  });
  afterEach(() => scheduler.dispose());

  it('uses one timer for many token sets and refreshes each a lead time before expiry', async () => {
    sets = [
      { id: 'a', expiresAt: clock.t + 600_000 },
      { id: 'b', expiresAt: clock.t + 300_000 },
      { id: 'c', expiresAt: undefined },
    ];
    scheduler.reschedule();
    assert.equal(clock.pending, 1);
    await clock.advanceSettled(239_999);
    assert.deepEqual(calls, []);
    await clock.advanceSettled(1);
    assert.deepEqual(calls, ['b@1240000']);
    await clock.advanceSettled(300_000);
    assert.deepEqual(calls, ['b@1240000', 'a@1540000']);
    assert.equal(clock.pending, 1);
  });

  it('backs off exponentially after transient failures, then recovers', async () => {
    sets = [{ id: 'a', expiresAt: clock.t + 60_000 }];
    let fail = 3;
    behaviour = async (id) => {
      if (fail-- > 0) throw new ExplorerError('network', 'down');
      sets.find((x) => x.id === id)!.expiresAt = clock.now() + 3600_000;
    };
    scheduler.reschedule();
    await clock.advanceSettled(0);
    await clock.advanceSettled(30_000);
    await clock.advanceSettled(60_000);
    await clock.advanceSettled(120_000);
    assert.deepEqual(calls, ['a@1000000', 'a@1030000', 'a@1090000', 'a@1210000']);
    assert.equal(scheduler.dueAt(sets[0]), clock.now() + 3600_000 - 60_000);
  });

  it('stops for a set on invalid_grant and resumes when asked', async () => {
    sets = [{ id: 'a', expiresAt: clock.t + 60_000 }];
    behaviour = async () => {
      throw new ExplorerError('invalid_grant', 'expired');
    };
    scheduler.reschedule();
    await clock.advanceSettled(10 * 60_000);
    assert.deepEqual(calls, ['a@1000000']);
    assert.deepEqual(stopped, ['a']);
    assert.equal(clock.pending, 0);
    behaviour = async (id) => void (sets.find((x) => x.id === id)!.expiresAt = clock.now() + 3600_000);
    scheduler.resume('a');
    await clock.advanceSettled(0);
    assert.equal(calls.length, 2);
  });

  it('does nothing and holds no timer when no set opted in', async () => {
    sets = [];
    scheduler.reschedule();
    assert.equal(clock.pending, 0);
  });
});
