/**
 * Every command path with arguments (no prompts), as keybindings, tasks and other extensions run
 * them, inside the real extension host.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { rejectsWith, sandboxEnvironment, useApiAndSandbox, workerApplication } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(command, ...args);

describe('commands', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  async function setUp() {
    const env = await run<{ id: string }>('pingone.addEnvironment', sandboxEnvironment(s));
    const app = await run<{ id: string }>('pingone.addApplication', env.id, workerApplication(s));
    return { env, app };
  }

  it('adds an environment and an application from arguments', async () => {
    const { env, app } = await setUp();
    assert.equal(api.listEnvironments()[0].id, env.id);
    assert.equal((await api.listApplications(env.id))[0].id, app.id);
  });

  it('gets, refreshes (re-issues), introspects and deletes a client-credentials token', async () => {
    const { app } = await setUp();
    const info = await run<{ id: string; status: string }>('pingone.getToken', app.id);
    assert.equal(info.status, 'valid');
    const first = (await api.getTokens(info.id)).accessToken;
    await run('pingone.refreshToken', info.id);
    assert.notEqual((await api.getTokens(info.id)).accessToken, first);
    const introspection = await run<{ active: boolean }>('pingone.introspectToken', info.id, { silent: true });
    assert.equal(introspection.active, true);
    await api.deleteTokenSet(info.id);
    assert.deepEqual(api.listTokenSets(), []);
  });

  it('opts a token set in and out of auto-refresh, and keeps the choice across a refresh', async () => {
    const { app } = await setUp();
    const info = await run<{ id: string }>('pingone.getToken', app.id);
    const on = await run<{ autoRefresh: boolean }>('pingone.toggleAutoRefresh', info.id, { enabled: true });
    assert.equal(on.autoRefresh, true);
    await run('pingone.refreshToken', info.id);
    assert.equal(api.listTokenSets()[0].autoRefresh, true);
    const off = await run<{ autoRefresh: boolean }>('pingone.toggleAutoRefresh', info.id);
    assert.equal(off.autoRefresh, false);
  });

  it('copies the access token, an Authorization header and a curl command', async () => {
    const { app } = await setUp();
    const info = await run<{ id: string }>('pingone.getToken', app.id);
    const { accessToken } = await api.getTokens(info.id);
    await run('pingone.copyAccessToken', info.id);
    assert.equal(await vscode.env.clipboard.readText(), accessToken);
    await run('pingone.copyAuthorizationHeader', info.id);
    assert.equal(await vscode.env.clipboard.readText(), `Authorization: Bearer ${accessToken}`);
    await run('pingone.copyAsCurl', info.id);
    assert.match(
      await vscode.env.clipboard.readText(),
      new RegExp(`^curl -H 'Authorization: Bearer ${accessToken.replace(/[.]/g, '\\.')}' 'http://127\\.0\\.0\\.1:\\d+/[^']*'$`),
    );
  });

  it('decodes a JWT given as an argument and opens the inspector', async () => {
    const { app } = await setUp();
    const { accessToken } = await api.getTokens((await run<{ id: string }>('pingone.getToken', app.id)).id);
    const inspectorTab = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.label === 'Token Inspector');
    // The tab model reaches the extension host after the renderer has opened the panel.
    const opened = new Promise<void>((resolve) => {
      const sub = vscode.window.tabGroups.onDidChangeTabs(() => inspectorTab() && (sub.dispose(), resolve()));
    });
    const decoded = await run<{ payload: Record<string, unknown> }>('pingone.decodeJwt', accessToken);
    assert.equal(decoded.payload.client_id, s.clients.worker.clientId);
    if (!inspectorTab()) await opened;
    assert.ok(inspectorTab());
  });

  it('refuses to decode an opaque token: the command shows it and resolves to nothing (no second toast from VS Code)', async () => {
    assert.equal(await run('pingone.decodeJwt', 'opaque-reference-token-abcdef'), undefined);
    assert.throws(
      () => api.decode('opaque-reference-token-abcdef'),
      (e: Error & { code?: string }) => e.code === 'invalid_input' && /opaque/.test(e.message),
    );
  });

  it('refuses bad input through commands without rejecting, and stores nothing', async () => {
    assert.equal(await run('pingone.addEnvironment', { name: 'x', kind: 'pingone', environmentId: 'nope' }), undefined);
    assert.deepEqual(api.listEnvironments(), []);
    await rejectsWith(api.addEnvironment({ name: 'x', kind: 'pingone', environmentId: 'nope' }), 'invalid_input');
  });

  it('keeps stored tokens when a get-token call fails with invalid_client', async () => {
    const { env, app } = await setUp();
    const good = await run<{ id: string }>('pingone.getToken', app.id);
    await run('pingone.editApplication', app.id, { name: 'Worker', clientId: s.clients.worker.clientId, clientSecret: 'wrong', authMethod: 'client_secret_basic' });
    assert.equal(await run('pingone.getToken', app.id), undefined, 'the command shows the failure and resolves');
    await rejectsWith(api.clientCredentials(app.id), 'invalid_client');
    assert.deepEqual(
      api.listTokenSets().map((t) => t.id),
      [good.id],
    );
    assert.ok((await api.getTokens(good.id)).accessToken);
    assert.equal(api.listEnvironments()[0].id, env.id);
  });

  it('asks before every removal, whatever the arguments say, and removes nothing unconfirmed', async () => {
    const { env, app } = await setUp();
    const info = await run<{ id: string }>('pingone.getToken', app.id);
    // The test host refuses to show modal dialogs, so a command that asks ends (with its one
    // message) and removes nothing; one that skipped the question would have removed.
    assert.equal(await run('pingone.deleteTokenSet', info.id, { confirm: false }), undefined);
    assert.equal(await run('pingone.removeApplication', app.id, { confirm: false }), undefined);
    assert.equal(await run('pingone.removeEnvironment', env.id, { confirm: false }), undefined);
    assert.deepEqual(
      api.listTokenSets().map((t) => t.id),
      [info.id],
    );
    assert.ok((await api.getTokens(info.id)).accessToken);
    assert.equal(api.listEnvironments()[0].id, env.id);
  });
});
