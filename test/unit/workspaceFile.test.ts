// The workspace file: entries a team checks in (no secrets), stable identities, refused secret
// fields, and export that round-trips into the same applications.
import assert from 'node:assert/strict';
import { decodeClientSecret } from '../../src/core/binding';
import { KEYS, TokenService } from '../../src/core/service';
import { exportToWorkspaceFile, parseWorkspaceFile } from '../../src/core/workspace';
import { MemorySecrets, MemoryState } from '../support/memoryStores';

const ENV_ID = '8f9e2f5a-1c2b-4d3e-9f00-0123456789ab';

const FILE = JSON.stringify({
  environments: [
    {
      id: 'team-dev',
      name: 'Team dev',
      kind: 'pingone',
      region: 'EU',
      environmentId: ENV_ID,
      applications: [
        { id: 'team-dev-worker', name: 'Worker', clientId: 'worker-client', authMethod: 'client_secret_basic', grants: ['client_credentials'] },
        { id: 'team-dev-spa', name: 'SPA', clientId: 'spa-client', authMethod: 'none', redirectUri: 'http://127.0.0.1/callback', tokenEndpointAuthMethod: 'NONE' },
        { id: 'leaky', name: 'Leaky', clientId: 'leaky-client', clientSecret: 'do-not-read-me' },
      ],
    },
    { id: 'pf', name: 'PF', kind: 'pingfederate', issuer: 'https://sso.example.com', password: 'nope' },
  ],
});

describe('workspace file', () => {
  it('reads environments and applications with their ids, marked as coming from the workspace', () => {
    const w = parseWorkspaceFile(FILE);
    assert.deepEqual(
      w.environments.map((e) => [e.id, e.issuer, e.origin]),
      [['team-dev', `https://auth.pingone.eu/${ENV_ID}/as`, 'workspace']],
    );
    assert.deepEqual(
      w.applications.map((a) => [a.id, a.environmentId, a.authMethod, a.grants, a.origin]),
      [
        ['team-dev-worker', 'team-dev', 'client_secret_basic', ['client_credentials'], 'workspace'],
        ['team-dev-spa', 'team-dev', 'none', ['authorization_code'], 'workspace'],
      ],
    );
  });

  it('refuses an entry with a secret-like field and never repeats its value', () => {
    const w = parseWorkspaceFile(FILE);
    assert.equal(w.problems.length, 2);
    assert.match(w.problems[0]!, /Application "Leaky" has "clientSecret": secrets never belong in \.vscode\/pingone\.json/);
    assert.match(w.problems[1]!, /Environment "PF" has "password"/);
    assert.ok(!JSON.stringify(w).includes('do-not-read-me'));
    assert.ok(!w.applications.some((a) => a.id === 'leaky'));
  });

  it('reports broken entries and keeps the others', () => {
    const w = parseWorkspaceFile(
      JSON.stringify({
        environments: [
          { name: 'no id', kind: 'oidc', issuer: 'https://a.example' },
          { id: 'x', name: 'X', kind: 'pingone', environmentId: '123' },
          { id: 'ok', name: 'OK', kind: 'oidc', issuer: 'https://idp.example.com' },
        ],
      }),
    );
    assert.deepEqual(
      w.environments.map((e) => e.id),
      ['ok'],
    );
    assert.match(w.problems[0]!, /no valid "id"/);
    assert.match(w.problems[1]!, /a PingOne environment ID has 36/);
    assert.match(parseWorkspaceFile('{').problems[0]!, /not valid JSON/);
  });

  it("shows workspace entries beside the user's own; the same id keeps the stored secret and tokens", async () => {
    const state = new MemoryState();
    const secrets = new MemorySecrets();
    const service = new TokenService({ state, secrets, http: () => ({ timeoutMs: 1000 }) });
    const own = await service.addEnvironment({ name: 'Mine', kind: 'oidc', issuer: 'https://mine.example.com' });
    const w = parseWorkspaceFile(FILE);
    service.setWorkspaceEntries(w);
    assert.deepEqual(
      service.listEnvironments().map((e) => e.id),
      [own.id, 'team-dev'],
    );
    assert.equal(state.data.get(KEYS.environments)?.includes('team-dev'), false, 'nothing written to the store');
    await service.setClientSecret('team-dev-worker', 'my-own-secret');
    assert.equal(decodeClientSecret(secrets.data.get(KEYS.clientSecret('team-dev-worker')) ?? '').secret, 'my-own-secret');
    // The file changes (a rename): the entry keeps its secret.
    let changes = 0;
    service.onDidChange(() => changes++);
    service.setWorkspaceEntries(parseWorkspaceFile(FILE.replace('"Worker"', '"Team worker"')));
    assert.equal(service.getApplication('team-dev-worker').name, 'Team worker');
    assert.equal(await service.hasClientSecret('team-dev-worker'), true);
    assert.equal(changes, 1);
    // Read again unchanged (a second change event, the watcher armed): no change event.
    service.setWorkspaceEntries(parseWorkspaceFile(FILE.replace('"Worker"', '"Team worker"')));
    assert.equal(changes, 1);
  });

  it('exports without secrets, and the export reads back as the same applications', async () => {
    const state = new MemoryState();
    const secrets = new MemorySecrets();
    const service = new TokenService({ state, secrets, http: () => ({ timeoutMs: 1000 }) });
    const env = await service.addEnvironment({ name: 'Dev', kind: 'pingone', region: 'CA', environmentId: ENV_ID, apiBaseUrl: 'https://api.example.com/v1' });
    const app = await service.addApplication(env.id, {
      name: 'Web',
      clientId: 'web',
      clientSecret: 'web-secret',
      authMethod: 'client_secret_post',
      scopes: 'openid profile',
      redirectUri: 'http://127.0.0.1:8080/cb',
    });
    const text = exportToWorkspaceFile(
      '{ "$schema": "x", "environments": [{ "id": "other", "name": "Other", "kind": "oidc", "issuer": "https://o.example.com" }] }',
      [env],
      [app],
    );
    assert.ok(!text.includes('web-secret'));
    const back = parseWorkspaceFile(text);
    assert.deepEqual(back.problems, []);
    assert.deepEqual(
      back.environments.map((e) => e.id),
      ['other', env.id],
    );
    const { origin, ...same } = back.applications[0]!;
    assert.equal(origin, 'workspace');
    assert.deepEqual(same, service.getApplication(app.id));
    const again = exportToWorkspaceFile(text, [env], [app]);
    assert.equal(parseWorkspaceFile(again).environments.length, 2, 'exporting again replaces, never duplicates');
  });
});
