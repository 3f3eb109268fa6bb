/**
 * The `pingone` authentication provider as other extensions reach it, through vscode.authentication
 * in the real extension host, against the sandbox on loopback.
 *
 * VS Code gates getSession behind its own consent dialog, and a test host refuses to show dialogs
 * (DialogService: "refused to show dialog in tests"), so these tests reach the provider through
 * getAccounts (which runs getSessions), onDidChangeSessions and the Accounts menu's Sign Out; the
 * choice of session (pseudo-scopes, scopes, refresh first) is tested in test/unit/tokenAccess.test.ts.
 * getSession itself, with VS Code's consent dialog (createIfNone with `app:`, silent afterwards, the
 * application quick pick), is tested in the browser, where dialogs are shown: test/e2e/tokenUse.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import { startSandbox, type Sandbox } from '../sandbox';
import { browserFor, reset, sandboxEnvironment, useApiAndSandbox, webApplication, workerApplication } from './helpers';

const PROVIDER = 'pingone';

/** Resolves on the next onDidChangeSessions of the pingone provider. */
function nextSessionChange(): Promise<void> {
  return new Promise((resolve) => {
    const sub = vscode.authentication.onDidChangeSessions((e) => {
      if (e.provider.id === PROVIDER) {
        sub.dispose();
        resolve();
      }
    });
  });
}

describe('authentication provider pingone', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  async function worker(sandboxOf: Sandbox = s) {
    const env = await api.addEnvironment(sandboxEnvironment(sandboxOf));
    const app = await api.addApplication(env.id, workerApplication(sandboxOf));
    return { env, app, label: `${app.name} · ${env.name}` };
  }

  it('lists token sets as accounts: the application for client credentials, the user for sign-in', async () => {
    const { env, app, label } = await worker();
    assert.deepEqual(
      (await vscode.authentication.getAccounts(PROVIDER)).filter((a) => a.id.startsWith(app.id)),
      [],
    );
    await api.clientCredentials(app.id);
    const web = await api.addApplication(env.id, webApplication(s));
    await api.signIn(web.id, { openExternal: browserFor(s) });
    const accounts = await vscode.authentication.getAccounts(PROVIDER);
    assert.ok(
      accounts.some((a) => a.id === app.id && a.label === label),
      `accounts: ${JSON.stringify(accounts)}`,
    );
    const user = accounts.find((a) => a.id.startsWith(`${web.id}/`));
    assert.ok(user, 'the signed-in user is an account');
    assert.ok([s.user.username, s.user.sub].includes(user.label), `user label ${user.label}`);
  });

  it('lists accounts without a request (a new window lists them), and refreshes a set that expires within pingone.variables.minValiditySeconds before handing it out', async () => {
    const short = await startSandbox({ accessTokenTtlSeconds: 30 });
    try {
      const { app } = await worker(short);
      const first = await api.clientCredentials(app.id);
      const before = (await api.getTokens(first.id)).accessToken;
      short.resetStats();
      // VS Code lists accounts (getSessions without scopes) in every new window: nothing is refreshed.
      const accounts = await vscode.authentication.getAccounts(PROVIDER);
      assert.ok(accounts.some((a) => a.id === app.id));
      assert.equal(short.stats().tokenRequests, 0, 'listing accounts sent no request');
      assert.equal(api.listTokenSets(app.id)[0].issuedAt, first.issuedAt);
      // Asked for a token with scopes: VS Code asks the provider for its sessions first, then
      // withholds them here (no consent is recorded and a test host shows no dialog; the browser
      // suite clicks Allow, test/e2e/tokenUse.test.ts). The set expires within the minimum
      // validity, so the provider refreshed it before answering, and reported the change.
      const changed = nextSessionChange();
      const session = await vscode.authentication.getSession(PROVIDER, [`app:${app.id}`], { silent: true });
      await changed;
      assert.equal(session, undefined, 'no consent in this host');
      assert.equal(short.stats().tokenRequests, 1, 'one refresh when a token was asked for');
      const after = api.listTokenSets(app.id);
      assert.deepEqual(
        after.map((t) => t.id),
        [first.id],
        'the same token set, refreshed in place',
      );
      assert.ok(after[0].issuedAt > first.issuedAt, 'it was re-issued');
      assert.notEqual((await api.getTokens(first.id)).accessToken, before);
    } finally {
      await reset(api);
      await short.close();
    }
  });

  it('leaves out a token set that cannot be used (revoked)', async () => {
    const { app } = await worker();
    const info = await api.clientCredentials(app.id);
    assert.ok((await vscode.authentication.getAccounts(PROVIDER)).some((a) => a.id === app.id));
    await api.revoke(info.id);
    assert.ok(!(await vscode.authentication.getAccounts(PROVIDER)).some((a) => a.id === app.id));
  });

  it('fires onDidChangeSessions for a new token set, a refresh and a deletion made elsewhere (the API, the tree)', async () => {
    const { app } = await worker();
    let change = nextSessionChange();
    const info = await api.clientCredentials(app.id);
    await change;
    change = nextSessionChange();
    await api.refresh(info.id);
    await change;
    change = nextSessionChange();
    await api.deleteTokenSet(info.id); // deleting from the tree always asks first (a modal the test host refuses)
    await change;
    assert.ok(!(await vscode.authentication.getAccounts(PROVIDER)).some((a) => a.id === app.id));
  });

  it('Sign Out in the Accounts menu (removeSession) asks whether to revoke, then deletes the token set', async () => {
    const { app, label } = await worker();
    const info = await api.clientCredentials(app.id);
    const removed = nextSessionChange();
    let settled = false;
    // VS Code's own "Sign out?" confirmation is accepted by the test host; ours is a quick pick.
    const signOut = Promise.resolve(vscode.commands.executeCommand('_signOutOfAccount', { providerId: PROVIDER, accountLabel: label })).finally(() => {
      settled = true;
    });
    // Accept the first item ("Revoke at the server, then delete") once the pick is up.
    for (let i = 0; !settled && i < 200; i++) {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await Promise.race([signOut, new Promise((r) => setTimeout(r, 50))]);
    }
    await signOut;
    await removed;
    assert.deepEqual(
      api.listTokenSets().filter((t) => t.id === info.id),
      [],
    );
  });
});
