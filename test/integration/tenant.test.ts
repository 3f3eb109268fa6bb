/**
 * Browse, import and sync from a PingOne tenant inside the real extension host: the sandbox's
 * management API, real SecretStorage, and tokens obtained with what was imported.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { sandboxEnvironment, useApiAndSandbox, workerApplication } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(command, ...args);
const PAR_APP = 'a1b2c3d4-0000-4000-8000-00000000a004';

describe('tenant import', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  async function worker(client: 'worker' | 'workerLimited' = 'worker') {
    const env = await api.addEnvironment({ ...sandboxEnvironment(s), apiBaseUrl: s.management.apiBase });
    const c = s.clients[client];
    return api.addApplication(env.id, { ...workerApplication(s), clientId: c.clientId, clientSecret: c.clientSecret, grants: ['client_credentials'] });
  }

  it('browses every environment and every page of applications with one worker token', async () => {
    const w = await worker();
    const { environments } = await api.browseTenant(w.id);
    assert.deepEqual(
      environments.map((e) => [e.name, e.type, e.applications.length]),
      [
        ['Sandbox', 'SANDBOX', 11],
        ['Sandbox production', 'PRODUCTION', 1],
      ],
    );
    const saml = environments[0]!.applications.find((a) => a.protocol === 'SAML')!;
    assert.equal(saml.importable, false);
    assert.equal(environments[0]!.applications.find((a) => a.id === s.clients.worker.clientId)!.importedAs, w.id);
    assert.equal(api.listTokenSets(w.id).length, 1);
  });

  it('imports from the command with secrets in SecretStorage; the imported apps get tokens', async () => {
    const w = await worker();
    const done = await run<Array<{ id: string; secretProblem?: string }>>('pingone.browseTenant', w.id, {
      environmentId: s.envId,
      applicationIds: [s.clients.post.clientId, s.clients.web.clientId, PAR_APP],
    });
    assert.deepEqual(
      done.map((d) => d.secretProblem),
      [undefined, undefined, undefined],
    );
    const apps = await api.listApplications();
    assert.deepEqual(
      apps.map((a) => [a.name, a.authMethod, a.hasSecret]),
      [
        ['Worker', 'client_secret_basic', true],
        ['Sandbox post app', 'client_secret_post', true],
        ['Sandbox web app', 'client_secret_basic', true],
        ['Basic web app (PAR required)', 'client_secret_basic', true],
      ],
    );
    assert.ok(!JSON.stringify(apps).includes(s.clients.post.clientSecret!));
    assert.equal((await api.clientCredentials(done[0]!.id)).status, 'valid');
  });

  it('imports without the secret when the worker lacks applications:read:secret, and says so', async () => {
    const w = await worker('workerLimited');
    const [web] = await api.importApplications(w.id, { environmentId: s.envId, applicationIds: [s.clients.web.clientId] });
    assert.equal(web!.hasSecret, false);
    assert.match(web!.secretProblem!, /applications:read:secret/);
  });

  it('syncs a rotated secret and a changed auth method, and flags a deleted application', async () => {
    const w = await worker();
    const [app] = await api.importApplications(w.id, { environmentId: s.envId, applicationIds: [PAR_APP] });
    s.management.rotateSecret(s.envId, PAR_APP, 'par-app-secret-rotated-in-host');
    s.management.updateApplication(s.envId, PAR_APP, { tokenEndpointAuthMethod: 'CLIENT_SECRET_POST' });
    const synced = await api.syncApplication(app!.id);
    assert.equal(synced.applied, true);
    assert.deepEqual(
      synced.changes.map((c) => c.field),
      ['authMethod', 'secret'],
    );
    assert.equal((await api.listApplications()).find((a) => a.id === app!.id)!.authMethod, 'client_secret_post');
    assert.deepEqual((await api.syncApplication(app!.id)).changes, []);
    s.management.deleteApplication(s.envId, PAR_APP);
    const gone = await run<{ deleted?: boolean }>('pingone.syncFromTenant', app!.id, { confirm: false });
    assert.equal(gone.deleted, true);
    assert.ok(
      (await api.listApplications()).some((a) => a.id === app!.id),
      'still there',
    );
  });
});
