/**
 * Nothing lost on restart, nothing fetched again that is still valid, in the real extension host.
 * test/host/restart.ts runs this file twice against one sandbox (which outlives both sessions):
 * PTE_RESTART_PHASE=store in a first code-server session, then =restarted in a second one with the
 * same user-data folder and the same Chromium profile (a full restart of the editor: new server,
 * new extension host, new window). The sandbox's request counters come from the launcher over HTTP.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fetch from 'node-fetch';
import * as vscode from 'vscode';
import { DEMO_USER } from '../sandbox/demo';
import { driveAuthorization } from '../sandbox/browser';
import type { SandboxClient } from '../sandbox';
import type { TokenSetInfo } from '../../src/api';
import { activateApi, reset } from '../integration/helpers';

interface SandboxInfo {
  url: string;
  envId: string;
  authBase: string;
  statsUrl: string;
  clients: { worker: SandboxClient; web: SandboxClient };
}

const phase = process.env.PTE_RESTART_PHASE;
const sandbox = JSON.parse(process.env.PTE_RESTART_SANDBOX ?? '{}') as SandboxInfo;
/** What the first session stored, for the second to compare with (test data, on the test's own disk). */
const memo = process.env.PTE_RESTART_MEMO ?? '';

async function stats(reset = false): Promise<{ requests: number; tokenRequests: number; byGrant: Record<string, number> }> {
  const res = await fetch(sandbox.statsUrl, { method: reset ? 'POST' : 'GET' });
  return (await res.json()) as { requests: number; tokenRequests: number; byGrant: Record<string, number> };
}

/** The lifetime of the access tokens the sandbox issues from now on (a short-lived set without waiting for one). */
async function accessTokenTtl(seconds: number): Promise<void> {
  const res = await fetch(sandbox.statsUrl.replace(/\/stats$/, `/ttl?seconds=${seconds}`), { method: 'POST' });
  assert.equal(res.status, 200);
}

describe('across a restart of the editor', function () {
  this.timeout(30_000);

  if (phase === 'store') {
    it('stores environments, applications, secrets, token sets and auto-refresh opt-ins', async () => {
      const api = await activateApi();
      await reset(api);
      const env = await api.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.authBase });
      const { worker, web } = sandbox.clients;
      const w = await api.addApplication(env.id, {
        name: 'Worker',
        clientId: worker.clientId,
        clientSecret: worker.clientSecret,
        authMethod: 'client_secret_basic',
      });
      const a = await api.addApplication(env.id, {
        name: 'Web',
        clientId: web.clientId,
        clientSecret: web.clientSecret,
        authMethod: 'client_secret_basic',
        scopes: 'openid profile',
      });
      const cc = await api.clientCredentials(w.id);
      const signedIn = await api.signIn(a.id, {
        openExternal: async (url) => {
          const location = await driveAuthorization(sandbox.url, url, DEMO_USER);
          void fetch(location)
            .then((r) => r.text())
            .catch(() => undefined);
        },
      });
      await vscodeToggleAutoRefresh(signedIn.id);
      // A client-credentials set (re-issued in place when refreshed) that lives one second, opted in
      // to auto-refresh: it expires before the restart. The setting is off in this session.
      await accessTokenTtl(1);
      const auto = await api.clientCredentials(w.id).finally(() => accessTokenTtl(3600));
      await vscodeToggleAutoRefresh(auto.id);
      const tokens = { cc: await api.getTokens(cc.id), signedIn: await api.getTokens(signedIn.id), auto: await api.getTokens(auto.id) };
      fs.writeFileSync(
        memo,
        JSON.stringify({ env: env.id, worker: w.id, web: a.id, cc: cc.id, signedIn: signedIn.id, auto: auto.id, autoIssuedAt: auto.issuedAt, tokens }),
      );
    });

    it('leaves the code cache of both bundles for the next window', () => {
      const main = ownMain();
      assert.equal(main.codeCacheOutcomes.get('extension.js'), 'written');
      assert.equal(main.codeCacheOutcomes.get('features.js'), 'written');
      // What deactivation does when this window closes; the window may be killed before it can.
      main.flushCodeCache();
    });
  }

  if (phase === 'restarted') {
    it('auto-refresh resumes: the opted-in set that expired meanwhile is refreshed once, at start-up', async () => {
      const before = JSON.parse(fs.readFileSync(memo, 'utf8'));
      assert.ok(before.tokens.auto.expiresAt < Date.now(), 'the short-lived set expired before the restart');
      await stats(true);
      const api = await activateApi();
      // No command, no call: the scheduler started with the extension finds the set due.
      const refreshed = await new Promise<TokenSetInfo>((resolve, reject) => {
        const done = () => {
          const info = api.listTokenSets().find((t) => t.id === before.auto);
          if (info && info.status === 'valid' && info.issuedAt > before.autoIssuedAt) {
            clearTimeout(timer);
            sub.dispose();
            resolve(info);
          }
        };
        const timer = setTimeout(() => {
          sub.dispose();
          reject(new Error('the expired opted-in set was not refreshed within 20 s of start-up'));
        }, 20_000);
        const sub = api.onDidChange(done);
        done();
      });
      assert.equal(refreshed.autoRefresh, true);
      assert.notEqual((await api.getTokens(before.auto)).accessToken, before.tokens.auto.accessToken);
      // One token request (discovery was kept from the first session), re-issued in place.
      assert.deepEqual(await stats(), { requests: 1, tokenRequests: 1, byGrant: { client_credentials: 1 } });
      assert.deepEqual(
        api
          .listTokenSets()
          .map((t) => t.id)
          .sort(),
        [before.cc, before.signedIn, before.auto].sort(),
      );
    });

    it('reads everything back; then a token costs one request and a refresh one request', async () => {
      const before = JSON.parse(fs.readFileSync(memo, 'utf8'));
      await stats(true);
      const api = await activateApi();
      assert.deepEqual(
        api.listEnvironments().map((e) => e.id),
        [before.env],
      );
      assert.deepEqual((await api.listApplications()).map((a) => a.id).sort(), [before.worker, before.web].sort());
      const sets = api.listTokenSets();
      assert.deepEqual(sets.map((t) => t.id).sort(), [before.cc, before.signedIn, before.auto].sort());
      assert.equal(sets.find((t) => t.id === before.signedIn)!.autoRefresh, true);
      const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
      assert.deepEqual(json(await api.getTokens(before.cc)), before.tokens.cc);
      assert.deepEqual(json(await api.getTokens(before.signedIn)), before.tokens.signedIn);
      assert.equal((await stats()).requests, 0, 'reading back made no request');

      // The client secret survived too: the first client-credentials token of this session.
      await api.clientCredentials(before.worker);
      assert.deepEqual(await stats(), { requests: 1, tokenRequests: 1, byGrant: { client_credentials: 1 } });

      // A refresh whose ID token is checked against the key set kept from the first session.
      const refreshed = await api.refresh(before.signedIn);
      assert.equal(refreshed.status, 'valid');
      const after = await stats();
      assert.equal(after.requests, 2);
      assert.equal(after.byGrant.refresh_token, 1);
      assert.notEqual((await api.getTokens(before.signedIn)).refreshToken, before.tokens.signedIn.refreshToken);
    });

    it('loads both bundles from the code cache the last window wrote (V8 accepted it)', () => {
      const main = ownMain();
      assert.equal(main.codeCacheOutcomes.get('extension.js'), 'used');
      assert.equal(main.codeCacheOutcomes.get('features.js'), 'used');
    });
  }
});

/** The extension's dist/main.js as VS Code loaded it (the same module instance; see src/main.ts). */
function ownMain(): typeof import('../../src/main') {
  const ext = vscode.extensions.getExtension('pingone-tools.pingone-token-explorer');
  assert.ok(ext?.isActive, 'the extension is active');
  return require(path.join(ext.extensionPath, 'dist', 'main.js')) as typeof import('../../src/main');
}

/** The opt-in as the user makes it: the context-menu command on the token set. */
async function vscodeToggleAutoRefresh(tokenSetId: string): Promise<void> {
  await vscode.commands.executeCommand('pingone.toggleAutoRefresh', tokenSetId, { enabled: true });
  const api = await activateApi();
  assert.equal(api.listTokenSets().find((t) => t.id === tokenSetId)!.autoRefresh, true);
}
