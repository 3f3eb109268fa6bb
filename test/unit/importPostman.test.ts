// Postman environment import: Ping's variable names → environments and applications, previewed
// first, secrets only in the secret store, no duplicates on a second import.
import assert from 'node:assert/strict';
import { decodeClientSecret } from '../../src/core/binding';
import { mapAuthMethod } from '../../src/core/import/postman';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExplorerError } from '../../src/core/errors';
import { applyPlan, describePreview, previewPlan } from '../../src/core/import/plan';
import { planPostmanImport } from '../../src/core/import/postman';
import { KEYS, TokenService } from '../../src/core/service';
import { MemorySecrets, MemoryState } from '../support/memoryStores';

const FIXTURE = fs.readFileSync(path.resolve(__dirname, '../../../test/fixtures/pingone-workflows.postman_environment.json'), 'utf8');
const ENV_ID = '8f9e2f5a-1c2b-4d3e-9f00-0123456789ab';
const ADMIN_ENV_ID = '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

function postman(values: Array<{ key: string; value: string; type?: string; enabled?: boolean }>, name = 'Test'): string {
  return JSON.stringify({ name, values: values.map((v) => ({ enabled: true, type: 'default', ...v })), _postman_variable_scope: 'environment' });
}

function service() {
  const state = new MemoryState();
  const secrets = new MemorySecrets();
  let n = 0;
  return { state, secrets, service: new TokenService({ state, secrets, http: () => ({ timeoutMs: 1000 }), newId: () => `id${++n}` }) };
}

describe('Postman environment import', () => {
  it("maps Ping's variables: tld and authPath to the region, envID and adminEnvID, every …AppID / …AppSecret pair", () => {
    const plan = planPostmanImport(FIXTURE);
    assert.deepEqual(
      plan.environments.map((e) => e.input),
      [
        { name: 'PingOne workflows', kind: 'pingone', environmentId: ENV_ID, region: 'EU' },
        { name: 'PingOne workflows (admin)', kind: 'pingone', environmentId: ADMIN_ENV_ID, region: 'EU' },
      ],
    );
    const apps = plan.applications.map((a) => ({
      env: a.environmentKey,
      name: a.input.name,
      clientId: a.input.clientId,
      authMethod: a.input.authMethod,
      grants: a.input.grants,
      redirectUri: a.input.redirectUri,
    }));
    assert.deepEqual(apps, [
      {
        env: 'adminEnvID',
        name: 'Admin worker app',
        clientId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
        authMethod: 'client_secret_basic',
        grants: ['client_credentials'],
        redirectUri: undefined,
      },
      {
        env: 'envID',
        name: 'App',
        clientId: '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e',
        authMethod: 'client_secret_basic',
        grants: ['client_credentials', 'authorization_code'],
        redirectUri: 'http://127.0.0.1:3000/callback',
      },
      {
        env: 'envID',
        name: 'Solution app',
        clientId: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
        authMethod: 'none',
        grants: ['authorization_code'],
        redirectUri: 'http://127.0.0.1:3000/callback',
      },
    ]);
    assert.equal(plan.applications[0]!.input.clientSecret, 'admin-app-secret-from-postman');
  });

  it('reports what it skipped and why, never with a value', () => {
    const plan = planPostmanImport(FIXTURE);
    const reasons = Object.fromEntries(plan.skipped.map((s) => [s.key, s.reason]));
    assert.match(reasons.useCaseWorkerAppSecret!, /\{\{vaultWorkerSecret\}\}.*does not define/);
    assert.match(reasons.useCaseWorkerAppID!, /useCaseWorkerAppSecret has no value/);
    assert.match(reasons.accessToken!, /token or per-request value/);
    assert.match(reasons.oldAppID!, /disabled/);
    assert.match(reasons.orchestratePath!, /not used/);
    assert.equal(reasons.authPath, undefined, 'used variables are not reported');
    assert.ok(!JSON.stringify(plan.skipped).includes('eyJhbGci'), 'no token value in the report');
  });

  it('accepts apiPath with or without /v1 and keeps a non-default one as apiBaseUrl', () => {
    const base = [{ key: 'envID', value: ENV_ID }];
    for (const apiPath of ['https://api.pingone.com', 'https://api.pingone.com/v1', 'https://api.pingone.com/v1/']) {
      const plan = planPostmanImport(postman([...base, { key: 'authPath', value: 'https://auth.pingone.com' }, { key: 'apiPath', value: apiPath }]));
      assert.deepEqual(plan.environments[0]!.input, { name: 'Test', kind: 'pingone', environmentId: ENV_ID, region: 'NA' }, apiPath);
    }
    const local = planPostmanImport(postman([...base, { key: 'authPath', value: 'http://127.0.0.1:9000' }, { key: 'apiPath', value: 'http://127.0.0.1:9000/api' }]));
    assert.deepEqual(local.environments[0]!.input, {
      name: 'Test',
      kind: 'pingone',
      environmentId: ENV_ID,
      authBaseUrl: 'http://127.0.0.1:9000',
      apiBaseUrl: 'http://127.0.0.1:9000/api/v1',
    });
  });

  it('takes the auth method the file declares, and says when it cannot store it yet', () => {
    const plan = planPostmanImport(
      postman([
        { key: 'envID', value: ENV_ID },
        { key: 'appID', value: 'app-1' },
        { key: 'appSecret', value: 's1', type: 'secret' },
        { key: 'appTokenEndpointAuthMethod', value: 'CLIENT_SECRET_POST' },
        { key: 'jwtAppID', value: 'app-2' },
        { key: 'jwtAppSecret', value: 's2', type: 'secret' },
        { key: 'jwtAppAuthMethod', value: 'PRIVATE_KEY_JWT' },
      ]),
    );
    assert.equal(plan.applications.length, 2);
    assert.equal(plan.applications[0]!.input.authMethod, 'client_secret_post');
    assert.equal(plan.applications.find((a) => a.input.clientId === 'app-2')!.input.authMethod, 'private_key_jwt');
    assert.equal(Object.hasOwn(mapAuthMethod('NOT_A_METHOD'), 'unsupported'), true);
  });

  it('refuses what is not a Postman environment with a message that says what to export', () => {
    const cases: Array<[string, RegExp]> = [
      ['{not json', /not JSON/],
      [JSON.stringify({ info: { name: 'PingOne Platform API' }, item: [] }), /collection, not an environment/],
      [JSON.stringify({ name: 'x' }), /no "values"/],
      [postman([{ key: 'tld', value: 'com' }]), /no usable envID/],
    ];
    for (const [json, pattern] of cases) {
      assert.throws(
        () => planPostmanImport(json),
        (err: unknown) => err instanceof ExplorerError && err.code === 'invalid_input' && pattern.test(err.message),
      );
    }
  });

  it('previews without writing, then imports with secrets only in the secret store', async () => {
    const { state, secrets, service: s } = service();
    const plan = planPostmanImport(FIXTURE);
    const preview = await previewPlan(plan, s);
    assert.equal(state.data.size, 0, 'the preview stored nothing');
    assert.equal(secrets.data.size, 0);
    assert.deepEqual(
      preview.applications.map((a) => [a.name, a.existing, a.hasSecret]),
      [
        ['Admin worker app', false, true],
        ['App', false, true],
        ['Solution app', false, false],
      ],
    );
    const lines = describePreview(preview).join('\n');
    assert.match(lines, /Create environment "PingOne workflows" \(https:\/\/auth\.pingone\.eu\/8f9e2f5a-1c2b-4d3e-9f00-0123456789ab\/as\)/);
    assert.match(lines, /Skipped useCaseWorkerAppSecret/);
    assert.ok(!lines.includes('secret-from-postman'), 'no secret in the preview');

    const result = await applyPlan(plan, s);
    assert.equal(result.environments.length, 2);
    assert.equal(result.applications.length, 3);
    const stateText = [...state.data.values()].join('\n');
    assert.ok(!stateText.includes('secret-from-postman'), 'no secret in the state store');
    const admin = result.applications.find((a) => a.name === 'Admin worker app')!;
    assert.equal(decodeClientSecret(secrets.data.get(KEYS.clientSecret(admin.id)) ?? '').secret, 'admin-app-secret-from-postman');
    assert.equal(await s.hasClientSecret(result.applications.find((a) => a.name === 'Solution app')!.id), false);
  });

  it('importing the same file twice does not duplicate; a changed secret replaces the stored one', async () => {
    const { secrets, service: s } = service();
    await applyPlan(planPostmanImport(FIXTURE), s);
    const before = { envs: s.listEnvironments().map((e) => e.id), apps: s.listApplications().map((a) => a.id) };
    const again = await previewPlan(planPostmanImport(FIXTURE), s);
    assert.deepEqual(
      again.environments.map((e) => e.existing),
      [true, true],
    );
    assert.deepEqual(
      again.applications.map((a) => a.existing),
      [true, true, true],
    );
    const rotated = FIXTURE.replace('web-app-secret-from-postman', 'rotated-web-secret');
    await applyPlan(planPostmanImport(rotated), s);
    assert.deepEqual({ envs: s.listEnvironments().map((e) => e.id), apps: s.listApplications().map((a) => a.id) }, before);
    const web = s.listApplications().find((a) => a.name === 'App')!;
    assert.equal(decodeClientSecret(secrets.data.get(KEYS.clientSecret(web.id)) ?? '').secret, 'rotated-web-secret');
  });

  it('resolves references across variables and reports cycles', () => {
    const plan = planPostmanImport(
      postman([
        { key: 'id', value: ENV_ID },
        { key: 'envID', value: '{{id}}' },
        { key: 'appID', value: '{{a}}' },
        { key: 'a', value: '{{b}}' },
        { key: 'b', value: '{{a}}' },
      ]),
    );
    assert.equal(plan.environments[0]!.input.environmentId, ENV_ID);
    assert.match(plan.skipped.find((s) => s.key === 'appID')!.reason, /refers to/);
  });
});
