// curl import: the commands of Ping's docs (and one vendor's PingFederate guide) read into an
// environment and an application with the auth method the command uses.
import assert from 'node:assert/strict';
import { ExplorerError } from '../../src/core/errors';
import { parseCurl, planCurlImport, shellWords } from '../../src/core/import/curl';

const ENV_ID = '8f9e2f5a-1c2b-4d3e-9f00-0123456789ab';

function app(command: string) {
  const r = planCurlImport(command);
  return { env: r.plan.environments[0]!.input, app: r.plan.applications[0]!.input, grant: r.grant, warnings: r.warnings, notes: r.plan.applications[0]!.notes };
}

describe('curl import', () => {
  it('splits a multi-line shell command with quotes and escapes', () => {
    assert.deepEqual(shellWords(`curl -X POST \\\n  'https://a/b c' \\\n  --data "x=\\"y\\"" it\\'s`), [
      'curl',
      '-X',
      'POST',
      'https://a/b c',
      '--data',
      'x="y"',
      "it's",
    ]);
    assert.throws(() => shellWords("curl 'open"), /unclosed single quote/);
  });

  it('reads an Authorization: Basic header (decoded) and --data-urlencode fields, as in PingOne docs', () => {
    const basic = Buffer.from('my%3Aclient:s3cr%2Bt').toString('base64');
    const r = app(
      `curl --location --request POST 'https://auth.pingone.com/${ENV_ID}/as/token' \\\n--header 'Content-Type: application/x-www-form-urlencoded' \\\n--header 'Authorization: Basic ${basic}' \\\n--data-urlencode 'grant_type=client_credentials' \\\n--data-urlencode 'scope=p1:read:user openid'`,
    );
    assert.deepEqual(r.env, { name: 'PingOne NA', kind: 'pingone', environmentId: ENV_ID, region: 'NA' });
    assert.deepEqual(r.app, {
      name: 'my:client',
      clientId: 'my:client',
      clientSecret: 's3cr+t',
      authMethod: 'client_secret_basic',
      grants: ['client_credentials'],
      scopes: 'p1:read:user openid',
    });
    assert.equal(r.grant, 'client_credentials');
    assert.deepEqual(r.warnings, []);
  });

  it('reads --user id:secret and -d form bodies, and other regions', () => {
    const r = app(`curl -s -u worker-1:pa55 -d "grant_type=client_credentials&scope=a%20b" https://auth.pingone.eu/${ENV_ID}/as/token`);
    assert.equal(r.env.region, 'EU');
    assert.deepEqual([r.app.clientId, r.app.clientSecret, r.app.authMethod, r.app.scopes], ['worker-1', 'pa55', 'client_secret_basic', 'a b']);
    assert.equal(app(`curl -uworker-1:pa55 https://auth.pingone.com.au/${ENV_ID}/as/token`).env.region, 'AU');
  });

  it('takes a secret in the body as client_secret_post', () => {
    const r = app(`curl -X POST https://auth.pingone.ca/${ENV_ID}/as/token -d grant_type=client_credentials -d client_id=post-app -d client_secret=body-secret`);
    assert.deepEqual([r.app.clientId, r.app.clientSecret, r.app.authMethod], ['post-app', 'body-secret', 'client_secret_post']);
    assert.deepEqual(r.warnings, []);
  });

  it('reads a bare PingFederate token URL with its parameters in the query, and warns about the secret in it', () => {
    const r = app('https://sso.vendor.example/as/token.oauth2?grant_type=client_credentials&client_id=vendor-client&client_secret=query-secret&scope=api.read');
    assert.deepEqual(r.env, { name: 'PingFederate sso.vendor.example', kind: 'pingfederate', issuer: 'https://sso.vendor.example' });
    assert.deepEqual([r.app.clientId, r.app.clientSecret, r.app.authMethod, r.app.scopes], ['vendor-client', 'query-secret', 'client_secret_post', 'api.read']);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /secret is in the URL query.*logs.*rotate/);
    assert.ok(!r.warnings[0]!.includes('query-secret'));
  });

  it('recognises a refresh command, a public client and a local PingOne-compatible server', () => {
    const r = app(`curl http://127.0.0.1:9000/${ENV_ID}/as/token -d grant_type=refresh_token -d client_id=native -d refresh_token=abc`);
    assert.deepEqual(r.env, { name: 'PingOne 127.0.0.1:9000', kind: 'pingone', environmentId: ENV_ID, authBaseUrl: 'http://127.0.0.1:9000' });
    assert.deepEqual([r.app.authMethod, r.app.grants, r.grant], ['none', ['authorization_code'], 'refresh_token']);
    assert.match(r.warnings.join(), /refresh token: it was not imported/);
  });

  it('refuses what it cannot map, saying what it expected', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /Paste a curl command/],
      ['curl -d grant_type=client_credentials', /no URL/],
      [`curl https://auth.pingone.com/${ENV_ID}/as/token -d grant_type=client_credentials`, /no client ID/],
      [`curl https://auth.pingone.com/${ENV_ID}/as/token -d client_id=x -d grant_type=client_credentials`, /needs a client secret/],
      ['curl -u a:b https://example.com/oauth/token', /not a token endpoint the import recognises/],
      ['curl -u a:b http://idp.example.com/as/token.oauth2', /https/],
      [`curl -H 'Authorization: Basic bm9jb2xvbg==' https://auth.pingone.com/${ENV_ID}/as/token`, /does not decode/],
    ];
    for (const [command, pattern] of cases) {
      assert.throws(
        () => planCurlImport(command),
        (err: unknown) => err instanceof ExplorerError && err.code === 'invalid_input' && pattern.test(err.message),
        command,
      );
    }
  });

  it('ignores options it does not need and notes a file body it cannot read', () => {
    const req = parseCurl(`curl -sSL -o out.json --compressed -A agent -d @body.txt -u a:b https://auth.pingone.com/${ENV_ID}/as/token`);
    assert.equal(req.url, `https://auth.pingone.com/${ENV_ID}/as/token`);
    assert.equal(req.user, 'a:b');
    assert.match(req.warnings.join(), /read from a file/);
  });
});
