/**
 * The consent gate of `pingone.api.tokenAccess` (issue #10, finding 2): which answers let a call
 * through, what is remembered for the window, and that deny wins over an earlier allowance. The
 * person's answers are scripted; the modal itself is exercised in the real extension host.
 */
import assert from 'node:assert/strict';
import { type ConsentAnswer, TokenAccessGate, type TokenAccessMode } from '../../src/core/consent';
import { ExplorerError } from '../../src/core/errors';

const worker = { applicationId: 'a1', application: 'Worker', environment: 'Dev' };
const web = { applicationId: 'a2', application: 'Web', environment: 'Dev' };

function gate(mode: TokenAccessMode, answers: ConsentAnswer[]) {
  const state = { mode, asked: [] as string[] };
  const g = new TokenAccessGate(
    () => state.mode,
    async (q) => {
      state.asked.push(q);
      return answers.shift();
    },
  );
  return { g, state };
}

async function denied(p: Promise<unknown>): Promise<ExplorerError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ExplorerError && err.code === 'access_denied', String(err));
    return err;
  }
  assert.fail('expected access_denied');
}

describe('token access consent', () => {
  it('asks with the application and environment, and "Allow Once" asks again next time', async () => {
    const { g, state } = gate('ask', ['once', undefined]);
    await g.check(worker);
    assert.deepEqual(state.asked, ['An extension asked for the tokens of Worker (Dev).']);
    assert.match((await denied(g.check(worker))).message, /denied/);
    assert.equal(state.asked.length, 2);
  });

  it('"Allow for This Window" is remembered per application', async () => {
    const { g, state } = gate('ask', ['window', undefined]);
    await g.check(worker);
    await g.check(worker);
    assert.equal(state.asked.length, 1);
    await denied(g.check(web));
    assert.equal(state.asked.length, 2);
  });

  it('deny refuses without asking, also after an allowance for the window', async () => {
    const { g, state } = gate('ask', ['window']);
    await g.check(worker);
    state.mode = 'deny';
    assert.match((await denied(g.check(worker))).message, /pingone\.api\.tokenAccess" is "deny"/);
    assert.equal(state.asked.length, 1);
  });

  it('allow lets every call through without asking; a dismissed question is a denial', async () => {
    const allow = gate('allow', []);
    await allow.g.check(worker);
    assert.deepEqual(allow.state.asked, []);
    const dismissed = gate('ask', [undefined]);
    await denied(dismissed.g.check(worker));
  });
});
