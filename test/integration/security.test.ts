/**
 * Issue #10, finding 1, where it was proven: commands run with arguments (as another extension
 * runs them) inside the real extension host, against the sandbox and a rogue issuer on loopback
 * that records everything it receives. Nothing secret may reach it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { type FaultServer, startFaultServer } from '../support/faultServer';
import { activateApi, browserFor, rejectsWith, reset, sandbox, sandboxEnvironment, webApplication, workerApplication } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => Promise.resolve(vscode.commands.executeCommand<T>(command, ...args));

/** Runs a command that opens a quick pick, and dismisses the pick the way Escape does, until the command settles. */
async function dismissingPicks<T>(command: Promise<T>): Promise<T> {
  let settled = false;
  const done = command.finally(() => (settled = true));
  for (let i = 0; i < 200 && !settled; i++) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  return done;
}

describe('security: secrets stay with their issuer', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;
  let rogue: FaultServer;

  before(async () => {
    api = await activateApi();
    s = await sandbox();
    rogue = await startFaultServer();
    rogue.route('/.well-known/openid-configuration', {
      kind: 'json',
      status: 200,
      body: { issuer: rogue.url, authorization_endpoint: `${rogue.url}/authorize`, token_endpoint: `${rogue.url}/token` },
    });
    rogue.route('/token', { kind: 'json', status: 400, body: { error: 'invalid_request' } });
  });
  beforeEach(() => reset(api));
  after(async () => {
    await reset(api);
    await rogue.close();
  });

  it('an issuer change from command arguments asks first, and getToken / refreshToken deliver nothing to the rogue issuer', async () => {
    const env = await run<{ id: string }>('pingone.addEnvironment', sandboxEnvironment(s));
    const worker = await run<{ id: string }>('pingone.addApplication', env.id, workerApplication(s));
    const web = await run<{ id: string }>('pingone.addApplication', env.id, webApplication(s));
    const cc = await run<{ id: string }>('pingone.getToken', worker.id);
    const signedIn = await api.signIn(web.id, { openExternal: browserFor(s) });
    const secrets = [s.clients.worker.clientSecret!, s.clients.web.clientSecret!, (await api.getTokens(signedIn.id)).refreshToken!];

    // The call of the finding, and the same with a name: the modal is always asked (the test host
    // refuses to show it and says so), so the environment keeps its issuer.
    // (The command then ends with its one message and resolves: the test host refused the modal.)
    assert.equal(await run('pingone.editEnvironment', null, { kind: 'oidc', issuer: rogue.url }), undefined);
    assert.equal(await run('pingone.editEnvironment', null, { kind: 'oidc', name: 'Sandbox', issuer: rogue.url }), undefined);
    assert.equal(await run('pingone.editEnvironment', env.id, { kind: 'oidc', name: 'Sandbox', issuer: rogue.url, confirm: false }, { confirm: false }), undefined);
    assert.equal(api.listEnvironments()[0].issuer, s.pingone.issuer);

    // Without an id, an action that sends a secret makes the person pick even the only entry.
    assert.equal(await dismissingPicks(run('pingone.getToken')), undefined);
    assert.equal(await dismissingPicks(run('pingone.refreshToken')), undefined);
    assert.equal(await dismissingPicks(run('pingone.refreshToken', null)), undefined);
    // With ids they go where the secrets belong.
    assert.equal((await run<{ status: string }>('pingone.refreshToken', cc.id)).status, 'valid');
    assert.equal((await run<{ status: string }>('pingone.refreshToken', signedIn.id)).status, 'valid');

    for (const r of rogue.requests) for (const v of secrets) assert.ok(!`${JSON.stringify(r.headers)} ${r.body}`.includes(v));
    assert.deepEqual(
      rogue.requests.map((r) => `${r.method} ${r.path}`),
      [],
    );
    assert.equal(api.listTokenSets().length, 2);
  });

  describe('pingone.api.tokenAccess', () => {
    const setting = () => vscode.workspace.getConfiguration('pingone.api');
    const setMode = (mode: string) => Promise.resolve(setting().update('tokenAccess', mode, vscode.ConfigurationTarget.Global));
    afterEach(() => setMode('allow'));

    async function worker() {
      const env = await api.addEnvironment(sandboxEnvironment(s));
      const app = await api.addApplication(env.id, workerApplication(s));
      const info = await run<{ id: string }>('pingone.getToken', app.id); // the person's own command: no consent needed
      return { app, info };
    }

    it('"deny" refuses getTokens and grants with access_denied, sending nothing', async () => {
      const { app, info } = await worker();
      await setMode('deny');
      s.resetStats();
      await rejectsWith(api.getTokens(info.id), 'access_denied', /Worker \(Sandbox\).*"deny"/);
      await rejectsWith(api.clientCredentials(app.id), 'access_denied');
      await rejectsWith(api.refresh(info.id), 'access_denied');
      assert.equal(s.stats().tokenRequests, 0);
    });

    it('"ask" (the default) puts the question to the person before the first getTokens or grant', async () => {
      const { app, info } = await worker();
      await setMode('ask');
      assert.equal(setting().get('tokenAccess'), 'ask');
      s.resetStats();
      // The test host refuses to show modal dialogs and names the one it refused.
      const asked = /refused to show dialog.*An extension asked for the tokens of Worker \(Sandbox\)/s;
      await assert.rejects(api.getTokens(info.id), asked);
      await assert.rejects(api.clientCredentials(app.id), asked);
      assert.equal(s.stats().tokenRequests, 0);
    });

    it('a copy command run by another extension with a token set id asks the same consent; the palette does not', async () => {
      const { info } = await worker();
      const token = (await api.getTokens(info.id)).accessToken;
      const commands = ['pingone.copyAccessToken', 'pingone.copyAuthorizationHeader', 'pingone.copyAsCurl'];
      for (const mode of ['deny', 'ask']) {
        await setMode(mode);
        for (const command of commands) {
          await vscode.env.clipboard.writeText('untouched');
          // The command shows its one message and resolves; the clipboard (which the caller could read) keeps nothing.
          assert.equal(await run(command, info.id), undefined, `${command} (${mode})`);
          assert.equal(await vscode.env.clipboard.readText(), 'untouched', `${command} with "${mode}" copied nothing`);
        }
      }
      // From the palette with one token set, the person chose: no question, the token is copied.
      await setMode('deny');
      await run('pingone.copyAccessToken');
      assert.equal(await vscode.env.clipboard.readText(), token);
      await setMode('allow');
      await vscode.env.clipboard.writeText('untouched');
      await run('pingone.copyAccessToken', info.id);
      assert.equal(await vscode.env.clipboard.readText(), token);
    });

    it('a workspace setting cannot turn consent off', async () => {
      const { info } = await worker();
      await setMode('deny');
      // Application-scoped: VS Code refuses to write it into a workspace, and the gate reads the user's value only.
      await assert.rejects(Promise.resolve(setting().update('tokenAccess', 'allow', vscode.ConfigurationTarget.Workspace)));
      await rejectsWith(api.getTokens(info.id), 'access_denied');
    });
  });

  describe('redaction in the real host', () => {
    function filesUnder(dir: string): string[] {
      return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
    }
    const read = (f: string) => fs.readFileSync(f, 'utf8');

    /** Resolves once `test` holds, re-checking whenever a file under `dir` changes (no fixed sleep). */
    function whenLogs(dir: string, test: () => boolean): Promise<void> {
      return new Promise((resolve, reject) => {
        if (test()) return resolve();
        const watcher = fs.watch(dir, { recursive: true }, () => test() && (watcher.close(), clearTimeout(limit), resolve()));
        const limit = setTimeout(() => (watcher.close(), reject(new Error('the log line never reached the log files'))), 20_000);
      });
    }

    it('a token endpoint that echoes the client secret in every encoding leaks it into no message, rethrown error or log file', async () => {
      const logs = process.env.PTE_TEST_LOGS;
      assert.ok(logs, 'the launcher passes PTE_TEST_LOGS');
      const secret = 'echoed secret/+&é-4f7e';
      const form = new URLSearchParams({ v: secret }).toString().slice(2);
      const basic = Buffer.from(`echo-client:${form}`).toString('base64');
      const echo = await startFaultServer();
      try {
        echo.route('/.well-known/openid-configuration', {
          kind: 'json',
          status: 200,
          body: { issuer: echo.url, authorization_endpoint: `${echo.url}/authorize`, token_endpoint: `${echo.url}/token` },
        });
        echo.route('/token', {
          kind: 'json',
          status: 401,
          body: { error: 'invalid_client', error_description: `bad secret ${secret} / ${basic} / ${form} / ${encodeURIComponent(secret)}` },
        });
        const env = await api.addEnvironment({ name: 'Echo', kind: 'oidc', issuer: echo.url });
        const app = await api.addApplication(env.id, {
          name: 'Echo App',
          clientId: 'echo-client',
          clientSecret: secret,
          authMethod: 'client_secret_basic',
          grants: ['client_credentials'],
        });
        // The command shows and logs its one message; the API hands the typed error to callers.
        assert.equal(await run('pingone.getToken', app.id), undefined);
        const err = await rejectsWith(api.clientCredentials(app.id), 'invalid_client');
        const forbidden = [secret, form, basic, encodeURIComponent(secret)];
        for (const f of forbidden) assert.ok(!`${err.message} ${err.stack}`.includes(f), `the error carries ${f}`);
        assert.match(err.message, /bad secret \[redacted\]/);
        await whenLogs(logs, () => filesUnder(logs).some((f) => read(f).includes('[invalid_client]')));
        for (const file of filesUnder(logs)) for (const f of forbidden) assert.ok(!read(file).includes(f), `${file} carries ${f}`);
      } finally {
        await echo.close();
      }
    });
  });
});
