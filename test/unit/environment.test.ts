import assert from 'node:assert/strict';
import { isLoopbackHost, validateBaseUrl, validateEnvironment } from '../../src/core/environment';
import { ExplorerError } from '../../src/core/errors';
import { environmentFromUrl } from '../../src/core/pastedEnvironment';

const ENV_ID = '8f9e2f5a-1c2b-4d3e-9f00-0123456789ab';

function rejects(fn: () => unknown, field: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ExplorerError, `expected ExplorerError, got ${String(err)}`);
    assert.equal(err.code, 'invalid_input');
    assert.equal(err.field, field);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('environment validation', () => {
  it('derives the PingOne issuer from the region table', () => {
    const cases: Array<[string, string]> = [
      ['NA', 'https://auth.pingone.com'],
      ['CA', 'https://auth.pingone.ca'],
      ['EU', 'https://auth.pingone.eu'],
      ['AU', 'https://auth.pingone.com.au'],
      ['SG', 'https://auth.pingone.sg'],
      ['AP', 'https://auth.pingone.asia'],
      ['eu', 'https://auth.pingone.eu'],
    ];
    for (const [region, base] of cases) {
      const env = validateEnvironment({ name: 'x', kind: 'pingone', region, environmentId: ENV_ID }, 'id1');
      assert.equal(env.issuer, `${base}/${ENV_ID}/as`, region);
    }
  });

  it('defaults a PingOne environment to NA and lower-cases the environment ID', () => {
    const env = validateEnvironment({ name: ' Dev ', kind: 'pingone', environmentId: ENV_ID.toUpperCase() }, 'id1');
    assert.deepEqual(env, {
      id: 'id1',
      name: 'Dev',
      kind: 'pingone',
      region: 'NA',
      environmentId: ENV_ID,
      authBaseUrl: undefined,
      issuer: `https://auth.pingone.com/${ENV_ID}/as`,
    });
  });

  it('uses an explicit auth base for local servers and custom domains', () => {
    const env = validateEnvironment({ name: 'Local', kind: 'pingone', environmentId: ENV_ID, authBaseUrl: 'http://127.0.0.1:9000/' }, 'id1');
    assert.equal(env.issuer, `http://127.0.0.1:9000/${ENV_ID}/as`);
    assert.equal(env.region, undefined);
  });

  it('rejects a malformed environment ID, naming the field and the expected shape', () => {
    rejects(() => validateEnvironment({ name: 'x', kind: 'pingone', environmentId: 'not-a-uuid' }, 'i'), 'environmentId', /has 10 characters; .* has 36, like 8f9e2f5a-/);
    rejects(() => validateEnvironment({ name: 'x', kind: 'pingone', environmentId: '' }, 'i'), 'environmentId', /required/);
    rejects(() => validateEnvironment({ name: 'x', kind: 'pingone', environmentId: `${ENV_ID}x` }, 'i'), 'environmentId', /has 37 characters/);
  });

  it('says which character is wrong in a 36-character environment ID', () => {
    const typo = `${ENV_ID.slice(0, 11)}g${ENV_ID.slice(12)}`; // a "g" where a hex digit belongs
    rejects(() => validateEnvironment({ name: 'x', kind: 'pingone', environmentId: typo }, 'i'), 'environmentId', /has "g" at position 12: only 0-9, a-f/);
    const shifted = `${ENV_ID.slice(0, 8)}x${ENV_ID.slice(9)}`;
    rejects(() => validateEnvironment({ name: 'x', kind: 'pingone', environmentId: shifted }, 'i'), 'environmentId', /needs a hyphen at position 9, where it has "x"/);
    assert.doesNotThrow(() => validateEnvironment({ name: 'x', kind: 'pingone', environmentId: ENV_ID.toUpperCase() }, 'i'));
  });

  it('takes the environment ID (and the region) from a pasted console URL or issuer URL', () => {
    assert.deepEqual(environmentFromUrl(`https://console.pingone.eu/?env=${ENV_ID}#/home`), { environmentId: ENV_ID, region: 'EU' });
    assert.deepEqual(environmentFromUrl(`https://console.pingone.com/index.html#/overview?env=${ENV_ID.toUpperCase()}`), { environmentId: ENV_ID, region: 'NA' });
    assert.deepEqual(environmentFromUrl(`https://auth.pingone.com.au/${ENV_ID}/as`), { environmentId: ENV_ID, region: 'AU' });
    assert.deepEqual(environmentFromUrl(`https://sso.example.com/${ENV_ID}/as/authorize`), { environmentId: ENV_ID, region: undefined });
    assert.equal(environmentFromUrl(ENV_ID), undefined, 'a bare ID is not a URL');
    assert.equal(environmentFromUrl('https://console.pingone.eu/#/home'), undefined, 'a URL without an ID');
  });

  it('rejects an unknown region and kind, listing the valid ones', () => {
    rejects(() => validateEnvironment({ name: 'x', kind: 'pingone', region: 'US', environmentId: ENV_ID }, 'i'), 'region', /NA, CA, EU, AU, SG, AP/);
    rejects(() => validateEnvironment({ name: 'x', kind: 'okta' as never, issuer: 'https://a' }, 'i'), 'kind', /pingone, pingfederate or oidc/);
  });

  it('requires HTTPS except for loopback hosts', () => {
    rejects(() => validateEnvironment({ name: 'x', kind: 'oidc', issuer: 'http://idp.example.com' }, 'i'), 'issuer', /https:\/\/.*loopback/);
    rejects(() => validateBaseUrl('issuer', 'ftp://idp.example.com'), 'issuer', /https/);
    rejects(() => validateBaseUrl('issuer', 'not a url'), 'issuer', /not a URL/);
    rejects(() => validateBaseUrl('issuer', 'https://u:p@idp.example.com'), 'issuer', /user name or password/);
    rejects(() => validateBaseUrl('issuer', 'https://idp.example.com/?x=1'), 'issuer', /query/);
    assert.equal(validateBaseUrl('issuer', 'http://localhost:9031/'), 'http://localhost:9031');
    assert.equal(validateBaseUrl('issuer', 'http://[::1]:9031'), 'http://[::1]:9031');
    assert.equal(validateBaseUrl('issuer', 'https://sso.example.com:9031/pf/'), 'https://sso.example.com:9031/pf');
  });

  it('knows loopback hosts: literal addresses and exactly localhost', () => {
    for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) assert.ok(isLoopbackHost(h), h);
    // Names under .localhost go through DNS like any other name (issue #10, finding 6b).
    for (const h of ['example.com', '128.0.0.1', 'localhost.example.com', '10.0.0.1', 'evil.localhost', 'app.localhost', '127.0.0.1.evil.test', '127.0.0.256']) {
      assert.ok(!isLoopbackHost(h), h);
    }
    rejects(() => validateBaseUrl('issuer', 'http://evil.localhost:9031'), 'issuer', /https:\/\/.*loopback/);
  });

  it('takes a PingFederate base URL or an OIDC issuer as the issuer', () => {
    // Issuers are identifiers: kept exactly as entered, trailing slash included (discovery settles it).
    assert.equal(validateEnvironment({ name: 'PF', kind: 'pingfederate', issuer: 'https://pf.example.com:9031' }, 'i').issuer, 'https://pf.example.com:9031');
    assert.equal(validateEnvironment({ name: 'PF', kind: 'pingfederate', issuer: 'https://pf.example.com:9031/' }, 'i').issuer, 'https://pf.example.com:9031/');
    assert.equal(validateEnvironment({ name: 'A0', kind: 'oidc', issuer: ' https://tenant.eu.auth0.com/ ' }, 'i').issuer, 'https://tenant.eu.auth0.com/');
    assert.equal(validateEnvironment({ name: 'K', kind: 'oidc', issuer: 'https://kc.example/realms/dev/' }, 'i').issuer, 'https://kc.example/realms/dev/');
    assert.equal(
      validateEnvironment({ name: 'O', kind: 'oidc', issuer: 'https://login.example.com/oauth2/default' }, 'i').issuer,
      'https://login.example.com/oauth2/default',
    );
    rejects(() => validateEnvironment({ name: '', kind: 'oidc', issuer: 'https://a.example' }, 'i'), 'name', /required/);
  });
});
