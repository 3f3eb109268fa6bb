/**
 * The language model tools through vscode.lm.invokeTool in the real extension host, against the
 * sandbox: decode is local, the list never carries a token, getAccessToken returns the stored
 * (fresh) token after its confirmation (which a test host accepts).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { sandboxEnvironment, useApiAndSandbox, workerApplication } from './helpers';

async function invoke(name: string, input: object): Promise<string> {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

describe('chat tools', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  it('registers pingone_decodeJwt, pingone_listTokenSets and pingone_getAccessToken', () => {
    const names = vscode.lm.tools.map((t) => t.name);
    for (const n of ['pingone_decodeJwt', 'pingone_listTokenSets', 'pingone_getAccessToken']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
  });

  it('decodes a JWT, lists token sets without a token, and hands out a fresh access token', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, workerApplication(s));
    const info = await api.clientCredentials(app.id);
    const { accessToken } = await api.getTokens(info.id);

    const decoded = await invoke('pingone_decodeJwt', { token: `Bearer ${accessToken}` });
    assert.match(decoded, new RegExp(`"client_id":"${s.clients.worker.clientId}"`));
    assert.match(decoded, /expires in/);

    const listed = await invoke('pingone_listTokenSets', {});
    assert.ok(listed.includes(info.id) && listed.includes(app.name), listed);
    assert.ok(!listed.includes(accessToken), 'the list carries no token');

    const given = JSON.parse(await invoke('pingone_getAccessToken', { application: app.name })) as { accessToken: string; tokenSet: string };
    assert.equal(given.tokenSet, info.id);
    assert.equal(given.accessToken, (await api.getTokens(info.id)).accessToken);
  });
});
