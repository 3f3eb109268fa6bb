/**
 * Introspect and Userinfo results as a user sees them: a read-only JSON document per token set and
 * kind, replaced by the next call, never an unsaved Untitled editor. Inside the real extension host,
 * against the sandbox.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { activateApi, browserFor, reset, sandbox, sandboxEnvironment, webApplication } from './helpers';

const RESULT_SCHEME = 'pingone-result';

function resultTabs(): Array<{ tab: vscode.Tab; uri: vscode.Uri }> {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .flatMap((tab) => (tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === RESULT_SCHEME ? [{ tab, uri: tab.input.uri }] : []));
}

describe('introspection and userinfo results', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  before(async () => {
    api = await activateApi();
    s = await sandbox();
  });
  beforeEach(async () => {
    await reset(api);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await reset(api);
  });

  it('shows each in a read-only JSON document titled with kind, application, time and endpoint, one per token set and kind', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, { ...webApplication(s, 'Web'), grants: ['authorization_code'] });
    const info = await api.signIn(app.id, { openExternal: browserFor(s) });

    for (let i = 0; i < 2; i++) await vscode.commands.executeCommand('pingone.introspectToken', info.id);
    await vscode.commands.executeCommand('pingone.userinfo', info.id);

    const tabs = resultTabs();
    assert.equal(tabs.length, 2, `one tab per kind, not one per call: ${tabs.map((t) => t.tab.label).join(' | ')}`);
    const introspection = tabs.find((t) => t.tab.label.startsWith('Introspection'));
    const userinfo = tabs.find((t) => t.tab.label.startsWith('Userinfo'));
    assert.ok(introspection && userinfo, tabs.map((t) => t.tab.label).join(' | '));
    const host = new URL(s.url).host;
    for (const t of [introspection, userinfo]) {
      assert.match(t.tab.label, /· Web · /, 'the application is in the title');
      assert.match(t.tab.label, /\d{1,2}:\d{2}:\d{2}/, 'the time is in the title');
      assert.ok(t.tab.label.includes(host), `the endpoint is in the title: ${t.tab.label}`);
    }

    const doc = await vscode.workspace.openTextDocument(introspection.uri);
    assert.equal(doc.languageId, 'json');
    assert.equal(doc.isUntitled, false, 'not an Untitled editor');
    assert.equal(doc.isDirty, false, 'nothing to save');
    // Strict JSON, no comment line: the time and the endpoint are in the title, not in the content.
    const parsed = JSON.parse(doc.getText()) as { active?: boolean; client_id?: string };
    assert.equal(parsed.active, true);
    assert.equal(parsed.client_id, s.clients.web.clientId);
    const claims = JSON.parse((await vscode.workspace.openTextDocument(userinfo.uri)).getText()) as { sub?: string };
    assert.equal(claims.sub, s.user.sub);

    assert.deepEqual(vscode.languages.getDiagnostics(doc.uri), []);
    // Closing asks nothing.
    assert.equal(await vscode.window.tabGroups.close(introspection.tab), true);
  });
});
