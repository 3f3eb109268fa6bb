/**
 * Importing configuration that already lives elsewhere (a Postman environment file, a curl command)
 * inside the real extension host: real SecretStorage, the sandbox as the authorization server, and
 * a token obtained with what was imported as the proof that the secret landed where it is read.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ApplicationInfo, EnvironmentInfo, PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { activateApi, rejectsWith, reset, sandbox } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(command, ...args);
const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/pingone-workflows.postman_environment.json');

/** The workflow fixture pointed at the sandbox: its auth base, environment, worker and web app. */
function sandboxPostman(s: Sandbox, edit: (values: Array<{ key: string; value: string }>) => void = () => undefined): string {
  const doc = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as { name: string; values: Array<{ key: string; value: string }> };
  const set: Record<string, string> = {
    authPath: s.pingone.authBase,
    apiPath: `${s.url}/v1`,
    envID: s.envId,
    adminEnvID: s.envId,
    adminAppID: s.clients.worker.clientId,
    adminAppSecret: s.clients.worker.clientSecret!,
    appID: s.clients.web.clientId,
    appSecret: s.clients.web.clientSecret!,
  };
  for (const v of doc.values) if (v.key in set) v.value = set[v.key]!;
  doc.name = 'Sandbox from Postman';
  edit(doc.values);
  return JSON.stringify(doc, null, 2);
}

describe('import', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;
  let dir: string;

  before(async () => {
    api = await activateApi();
    s = await sandbox();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-import-'));
  });
  beforeEach(() => reset(api));
  after(async () => {
    await reset(api);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('previews a Postman environment without creating anything', async () => {
    const preview = await api.previewPostmanEnvironment(sandboxPostman(s));
    assert.deepEqual(api.listEnvironments(), []);
    assert.deepEqual(
      preview.environments.map((e) => [e.name, e.issuer, e.apiBaseUrl]),
      [['Sandbox from Postman', s.pingone.issuer, `${s.url}/v1`]],
    );
    assert.deepEqual(
      preview.applications.map((a) => [a.name, a.clientId, a.authMethod, a.hasSecret]),
      [
        ['Admin worker app', s.clients.worker.clientId, 'client_secret_basic', true],
        ['App', s.clients.web.clientId, 'client_secret_basic', true],
        ['Solution app', '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f', 'none', false],
      ],
    );
    assert.match(preview.skipped.find((k) => k.key === 'useCaseWorkerAppSecret')!.reason, /\{\{vaultWorkerSecret\}\}/);
    assert.ok(!JSON.stringify(preview).includes(s.clients.worker.clientSecret!), 'no secret in the preview');
  });

  it('imports a Postman environment file from the command: secrets in SecretStorage only, usable at once, no duplicates on re-import', async () => {
    const file = path.join(dir, 'sandbox.postman_environment.json');
    fs.writeFileSync(file, sandboxPostman(s));
    const first = await run<{ environments: EnvironmentInfo[]; applications: Array<{ id: string; name: string }> }>(
      'pingone.importPostmanEnvironment',
      vscode.Uri.file(file),
      { confirm: false },
    );
    assert.equal(first.environments.length, 1);
    const listed = await api.listApplications();
    assert.deepEqual(
      listed.map((a) => [a.name, a.hasSecret]),
      [
        ['Admin worker app', true],
        ['App', true],
        ['Solution app', false],
      ],
    );
    const stored = JSON.stringify([api.listEnvironments(), listed]);
    for (const secret of [s.clients.worker.clientSecret!, s.clients.web.clientSecret!]) assert.ok(!stored.includes(secret), 'no secret in the stored metadata');

    const worker = listed.find((a) => a.name === 'Admin worker app')!;
    const token = await api.clientCredentials(worker.id);
    assert.equal(api.decode((await api.getTokens(token.id)).accessToken).payload.client_id, s.clients.worker.clientId);

    const again = await api.importPostmanEnvironment(sandboxPostman(s));
    assert.deepEqual(
      again.environments.map((e) => e.id),
      first.environments.map((e) => e.id),
    );
    assert.deepEqual(
      (await api.listApplications()).map((a) => a.id),
      listed.map((a) => a.id),
    );
    assert.deepEqual(
      api.listTokenSets().map((t) => t.id),
      [token.id],
      'the tokens are kept',
    );
  });

  it('refuses a file that is not a Postman environment, creating nothing', async () => {
    await rejectsWith(api.importPostmanEnvironment(JSON.stringify({ info: { name: 'x' }, item: [] })), 'invalid_input', /collection, not an environment/);
    const file = path.join(dir, 'broken.json');
    fs.writeFileSync(file, '{ "values": [ ');
    // The command shows its one message and resolves; the API gives the typed error.
    assert.equal(await run('pingone.importPostmanEnvironment', vscode.Uri.file(file), { confirm: false }), undefined);
    await rejectsWith(api.importPostmanEnvironment(fs.readFileSync(file, 'utf8')), 'invalid_input', /not JSON/);
    assert.deepEqual(api.listEnvironments(), []);
  });

  it('imports a curl command with --user and runs its client-credentials grant', async () => {
    const command = `curl -s -X POST \\\n  --user '${s.clients.worker.clientId}:${s.clients.worker.clientSecret}' \\\n  -d 'grant_type=client_credentials' \\\n  '${s.pingone.issuer}/token'`;
    const r = await run<{ environment: EnvironmentInfo; application: ApplicationInfo; grant: string; tokenSet?: { id: string; status: string } }>(
      'pingone.importCurl',
      command,
      { confirm: false, run: true },
    );
    assert.equal(r.environment.issuer, s.pingone.issuer);
    assert.deepEqual([r.application.clientId, r.application.authMethod, r.grant], [s.clients.worker.clientId, 'client_secret_basic', 'client_credentials']);
    assert.equal(r.tokenSet?.status, 'valid');
  });

  it('imports the Basic-header, body-secret and query-secret forms; the imported apps get tokens', async () => {
    const basic = Buffer.from(`${s.clients.worker.clientId}:${s.clients.worker.clientSecret}`).toString('base64');
    const viaHeader = await api.importCurl(
      `curl --location --request POST '${s.pingone.issuer}/token' --header 'Authorization: Basic ${basic}' --data-urlencode 'grant_type=client_credentials'`,
    );
    assert.equal(viaHeader.application.authMethod, 'client_secret_basic');
    assert.equal((await api.clientCredentials(viaHeader.application.id)).status, 'valid');

    const post = s.clients.post;
    const viaBody = await api.importCurl(
      `curl -X POST ${s.pingone.issuer}/token -d grant_type=client_credentials -d client_id=${post.clientId} -d client_secret=${post.clientSecret}`,
    );
    assert.equal(viaBody.environment.id, viaHeader.environment.id, 'the same environment is reused');
    assert.deepEqual([viaBody.application.authMethod, viaBody.application.hasSecret, viaBody.warnings], ['client_secret_post', true, []]);
    assert.equal((await api.clientCredentials(viaBody.application.id)).status, 'valid');

    const pf = s.clients.pfWorker;
    const viaQuery = await api.importCurl(
      `${s.pingfederate.issuer}/as/token.oauth2?grant_type=client_credentials&client_id=${pf.clientId}&client_secret=${pf.clientSecret}&scope=api:read`,
    );
    assert.deepEqual(
      [viaQuery.environment.kind, viaQuery.environment.issuer, viaQuery.application.authMethod],
      ['pingfederate', s.pingfederate.issuer, 'client_secret_post'],
    );
    assert.match(viaQuery.warnings.join(' '), /URL query.*logs/);
    assert.ok(!viaQuery.warnings.join(' ').includes(pf.clientSecret!));
    assert.equal((await api.clientCredentials(viaQuery.application.id)).status, 'valid');
    assert.equal(api.listEnvironments().length, 2);
  });
});
