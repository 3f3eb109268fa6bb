import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { validateApplication, validateGrants } from '../../src/core/application';
import { buildAuthorizationRequest, parsePastedCode, validateAuthorizationResponse } from '../../src/core/authorize';
import { type ExplorerError } from '../../src/core/errors';
import { basicAuthorization } from '../../src/core/oauth';
import { createPkce, pkceChallenge, randomToken } from '../../src/core/random';
import { redact, safeUrl } from '../../src/core/redact';
import { loopbackPlan } from '../../src/core/tokenCalls';

describe('PKCE and randomness', () => {
  it('matches the RFC 7636 appendix B example', () => {
    assert.equal(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('creates 43-character verifiers whose challenge is their SHA-256, and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = createPkce();
      assert.match(p.verifier, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(p.challenge, createHash('sha256').update(p.verifier).digest('base64url'));
      assert.equal(p.method, 'S256');
      seen.add(p.verifier);
      seen.add(randomToken());
    }
    assert.equal(seen.size, 100);
  });
});

describe('client_secret_basic', () => {
  it('form-urlencodes id and secret before base64 (RFC 6749 §2.3.1)', () => {
    const header = basicAuthorization('my client', 'p@ss:w/rd+%');
    const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString();
    assert.equal(decoded, 'my+client:p%40ss%3Aw%2Frd%2B%25');
    assert.equal(basicAuthorization('abc', 'def'), `Basic ${Buffer.from('abc:def').toString('base64')}`);
  });
});

describe('redaction', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  it('removes JWTs, bearer credentials, form and JSON secrets, and known values', () => {
    const text = `token ${jwt} Authorization: Bearer abc.def-ghi client_secret=s3cr3t&code=xyz {"refresh_token":"rt-123","scope":"openid"} mysecretvalue`;
    const out = redact(text, ['mysecretvalue']);
    for (const leaked of [jwt, 'abc.def-ghi', 's3cr3t', 'xyz', 'rt-123', 'mysecretvalue']) assert.ok(!out.includes(leaked), `${leaked} leaked: ${out}`);
    assert.match(out, /"scope":"openid"/);
  });

  it('logs URLs without their query', () => {
    assert.equal(safeUrl('https://a.example/cb?code=abc&state=x'), 'https://a.example/cb');
  });
});

describe('authorization request and response', () => {
  const req = buildAuthorizationRequest('https://auth.example/as/authorize?prompt=login', {
    clientId: 'c1',
    redirectUri: 'http://127.0.0.1:5000/callback',
    scope: 'openid profile',
  });
  const url = new URL(req.url);

  it('sends PKCE S256, state, nonce and keeps existing query parameters', () => {
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('code_challenge'), req.pkce.challenge);
    assert.equal(url.searchParams.get('state'), req.state);
    assert.equal(url.searchParams.get('nonce'), req.nonce);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('prompt'), 'login');
    assert.notEqual(req.state, req.nonce);
  });

  const check = (q: string) => validateAuthorizationResponse(new URLSearchParams(q), { state: req.state, issuer: 'https://auth.example/as' });
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as ExplorerError).code;
    }
    return 'no error';
  };

  it('releases the code only when iss and state match', () => {
    assert.equal(check(`code=abc&state=${req.state}&iss=${encodeURIComponent('https://auth.example/as')}`), 'abc');
    assert.equal(check(`code=abc&state=${req.state}`), 'abc');
    assert.equal(
      code(() => check('code=abc&state=wrong')),
      'invalid_state',
    );
    assert.equal(
      code(() => check('code=abc')),
      'invalid_state',
    );
    assert.equal(
      code(() => check(`code=abc&state=${req.state}&iss=https://evil.example`)),
      'invalid_response',
    );
    assert.equal(
      code(() => check(`state=${req.state}`)),
      'invalid_response',
    );
  });

  it('checks state before trusting an error, then reports the error as its code', () => {
    assert.equal(
      code(() => check('error=access_denied&state=wrong')),
      'invalid_state',
    );
    assert.equal(
      code(() => check(`error=access_denied&error_description=User+said+no&state=${req.state}`)),
      'access_denied',
    );
  });

  it('accepts a pasted redirect URL, a query string, or a bare code', () => {
    assert.equal(parsePastedCode('https://app.example/cb?code=c1&state=s').code, 'c1');
    assert.equal(parsePastedCode('?code=c2&state=s').code, 'c2');
    assert.equal(parsePastedCode('  c3 ').code, 'c3');
    assert.throws(() => parsePastedCode('https://app.example/cb?error=access_denied'), /access_denied/);
    assert.throws(() => parsePastedCode(''), /Paste/);
  });
});

describe('applications', () => {
  const ids = { id: 'a', environmentId: 'e' };
  it('requires a secret for confidential clients unless one is stored', () => {
    assert.throws(
      () => validateApplication({ name: 'w', clientId: 'c', authMethod: 'client_secret_basic' }, ids, { hasStoredSecret: false }),
      /client secret is required/,
    );
    const app = validateApplication({ name: 'w', clientId: 'c', authMethod: 'CLIENT_SECRET_POST' }, ids, { hasStoredSecret: true });
    assert.equal(app.authMethod, 'client_secret_post');
    assert.deepEqual(app.grants, ['client_credentials', 'authorization_code']);
  });

  it('gives public clients the code grant only and refuses client credentials for them', () => {
    assert.deepEqual(validateGrants(undefined, 'none'), ['authorization_code']);
    assert.throws(() => validateGrants(['client_credentials'], 'none'), /public application/);
    assert.throws(() => validateGrants([], 'client_secret_basic'), /at least one/);
    assert.throws(() => validateGrants(['implicit'], 'client_secret_basic'), /Unknown grant/);
  });

  it('normalises scopes and refuses invalid ones', () => {
    const app = validateApplication({ name: 'n', clientId: 'c', authMethod: 'none', scopes: 'openid, profile  email' }, ids, { hasStoredSecret: false });
    assert.equal(app.scopes, 'openid profile email');
    assert.throws(() => validateApplication({ name: 'n', clientId: 'c', authMethod: 'none', scopes: 'a"b' }, ids, { hasStoredSecret: false }), /not a valid scope/);
  });

  it('plans the loopback listener from the registered redirect URI', () => {
    assert.deepEqual(loopbackPlan(undefined), { host: '127.0.0.1', port: 0, path: '/callback' });
    assert.deepEqual(loopbackPlan('http://127.0.0.1/callback'), { host: '127.0.0.1', port: 0, path: '/callback' });
    assert.deepEqual(loopbackPlan('http://localhost:7777/cb'), { host: 'localhost', port: 7777, path: '/cb' });
    assert.throws(() => loopbackPlan('https://app.example.com/callback'), /not a loopback address/);
  });
});
