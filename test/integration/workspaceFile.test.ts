/**
 * The workspace file .vscode/pingone.json in the real extension host: the file watcher, real
 * SecretStorage, and tokens from the sandbox that survive an export and a change to the file.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import { WORKSPACE_FILE } from '../../src/core/basics';
import type { Sandbox } from '../sandbox';
import { activateApi, reset, sandbox, sandboxEnvironment, workerApplication } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(command, ...args);

describe('workspace file', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;
  let folder: vscode.WorkspaceFolder;
  let file: vscode.Uri;

  /** Resolves once `done()` holds, re-checked on every change the extension reports. */
  function until(done: () => boolean | Promise<boolean>): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () =>
        Promise.resolve(done()).then((ok) => {
          if (!ok) return;
          sub.dispose();
          resolve();
        }, reject);
      const sub = api.onDidChange(() => void check());
      void check();
    });
  }

  async function write(doc: unknown) {
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(doc, null, 2)));
  }

  /**
   * Resolves on the next create or change event for the file. Every watcher in this extension host
   * gets the same batch of events, so once this one has seen the event the extension's has too.
   * VS Code's watcher drops a create and a delete of one path that fall in the same batch (about
   * 75 ms), so a test that deletes a file it just wrote waits for this first: otherwise neither
   * event reaches the extension and its entries stay.
   */
  function fileEvent(): Promise<void> {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, WORKSPACE_FILE));
    return new Promise<void>((resolve) => {
      const seen = () => {
        watcher.dispose();
        resolve();
      };
      watcher.onDidCreate(seen);
      watcher.onDidChange(seen);
    });
  }

  async function removeFile() {
    try {
      await vscode.workspace.fs.delete(file);
    } catch {
      return;
    }
    await until(() => !api.listEnvironments().some((e) => e.origin === 'workspace'));
  }

  before(async () => {
    api = await activateApi();
    s = await sandbox();
    const first = vscode.workspace.workspaceFolders?.[0];
    assert.ok(first, 'the integration host opens a folder');
    folder = first;
    file = vscode.Uri.joinPath(folder.uri, WORKSPACE_FILE);
  });
  beforeEach(async () => {
    await removeFile();
    await reset(api);
  });
  after(async () => {
    await removeFile();
    await reset(api);
  });

  const teamFile = () => ({
    environments: [
      {
        id: 'team-sandbox',
        name: 'Team sandbox',
        kind: 'pingone',
        environmentId: s.envId,
        authBaseUrl: s.pingone.authBase,
        applications: [
          { id: 'team-worker', name: 'Team worker', clientId: s.clients.worker.clientId, authMethod: 'client_secret_basic', grants: ['client_credentials'] },
          { id: 'team-leaky', name: 'Leaky', clientId: s.clients.post.clientId, authMethod: 'client_secret_post', clientSecret: s.clients.post.clientSecret },
        ],
      },
    ],
  });

  it("shows the file's entries marked as from the workspace; the secret is entered once per user; a secret in the file is refused", async () => {
    await write(teamFile());
    await until(() => api.listEnvironments().some((e) => e.id === 'team-sandbox'));
    assert.equal(api.listEnvironments().find((e) => e.id === 'team-sandbox')!.origin, 'workspace');
    const apps = await api.listApplications('team-sandbox');
    assert.deepEqual(
      apps.map((a) => [a.id, a.origin, a.hasSecret]),
      [['team-worker', 'workspace', false]],
      'the entry with clientSecret is refused',
    );

    await run('pingone.enterClientSecret', 'team-worker', s.clients.worker.clientSecret);
    assert.equal((await api.listApplications('team-sandbox'))[0]!.hasSecret, true);
    const token = await api.clientCredentials('team-worker');

    // The file changes: the tree follows, the user's secret and tokens stay.
    const renamed = teamFile();
    renamed.environments[0]!.applications[0]!.name = 'Renamed worker';
    await write(renamed);
    await until(async () => (await api.listApplications('team-sandbox'))[0]?.name === 'Renamed worker');
    assert.equal((await api.listApplications('team-sandbox'))[0]!.hasSecret, true);
    assert.ok((await api.getTokens(token.id)).accessToken);
  });

  it("exports the user's own environment without secrets; re-opened it is the same application with its tokens", async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s, 'Mine'));
    const app = await api.addApplication(env.id, workerApplication(s));
    const token = await api.clientCredentials(app.id);
    const written = fileEvent();
    await run('pingone.exportToWorkspaceFile', [env.id]);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    assert.ok(!text.includes(s.clients.worker.clientSecret!), 'no secret in the file');
    assert.ok(!text.includes((await api.getTokens(token.id)).accessToken), 'no token in the file');
    await until(() => api.listEnvironments().some((e) => e.id === env.id && e.origin === 'workspace'));
    assert.deepEqual(
      api.listEnvironments().map((e) => e.id),
      [env.id],
      'one entry, not two',
    );
    const [listed] = await api.listApplications(env.id);
    assert.deepEqual([listed!.id, listed!.origin, listed!.hasSecret], [app.id, 'workspace', true]);
    assert.deepEqual(
      api.listTokenSets(app.id).map((t) => t.id),
      [token.id],
    );
    assert.equal((await api.refresh(token.id)).status, 'valid');
    await written; // before the after hook deletes the file (see fileEvent)
  });
});
