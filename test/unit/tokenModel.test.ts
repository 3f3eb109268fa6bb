import assert from 'node:assert/strict';
import { ExplorerError } from '../../src/core/errors';
import { decodeJwt, describeExpiry, formatDuration, jwtExpiry, looksLikeJwt } from '../../src/core/jwt';
import type { TokenResponse } from '../../src/core/oauth';
import { type TokenSet, applyRefresh, scopeWidening, tokenSetFromResponse, tokenStatus } from '../../src/core/tokenSet';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1', typ: 'at+jwt' }) => `${b64(header)}.${b64(payload)}.c2ln`;

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const ids = { id: 't1', applicationId: 'a1', environmentId: 'e1' };

describe('JWT decoding', () => {
  it('decodes header, payload and keeps the raw segments', () => {
    const token = jwt({ sub: 'u1', exp: 1_800_000_000 });
    const d = decodeJwt(token);
    assert.deepEqual(d.header, { alg: 'RS256', kid: 'k1', typ: 'at+jwt' });
    assert.deepEqual(d.payload, { sub: 'u1', exp: 1_800_000_000 });
    assert.equal(d.segments.join('.'), token);
    assert.equal(decodeJwt(`Bearer ${token}`).payload.sub, 'u1');
    assert.equal(jwtExpiry(token), 1_800_000_000_000);
  });

  it('treats opaque tokens as a normal case with a clear invalid_input', () => {
    for (const opaque of ['2YotnFZFEjr1zCsicMWpAA', 'a.b', 'abc.def.ghi', 'x'.repeat(28)]) {
      assert.equal(looksLikeJwt(opaque), false, opaque);
      assert.equal(jwtExpiry(opaque), undefined);
      assert.throws(
        () => decodeJwt(opaque),
        (err: unknown) => err instanceof ExplorerError && err.code === 'invalid_input' && /not (a|a readable) JWT/.test(err.message),
      );
    }
    assert.throws(() => decodeJwt('a.b.c.d.e'), /encrypted JWT/);
    assert.throws(() => decodeJwt(''), /No token/);
  });

  it('formats durations and expiry for people', () => {
    assert.equal(formatDuration(42_000), '42 s');
    assert.equal(formatDuration(42 * 60_000), '42 min');
    assert.equal(formatDuration(185 * 60_000), '3 h 5 min');
    assert.equal(formatDuration(52 * 3600_000), '2 d 4 h');
    assert.equal(describeExpiry(NOW + 42 * 60_000, NOW), 'expires in 42 min');
    assert.equal(describeExpiry(NOW - 3 * 60_000, NOW), 'expired 3 min ago');
    assert.equal(describeExpiry(undefined, NOW), 'no expiry');
  });
});

describe('token-set model', () => {
  const response = (r: Partial<TokenResponse>): TokenResponse => ({ accessToken: 'at1', tokenType: 'Bearer', ...r });

  it('takes expiry from expires_in, else from the JWT exp, else none', () => {
    assert.equal(tokenSetFromResponse(response({ expiresIn: 3600 }), ids, 'client_credentials', NOW).expiresAt, NOW + 3_600_000);
    const exp = Math.floor(NOW / 1000) + 600;
    assert.equal(tokenSetFromResponse(response({ accessToken: jwt({ exp }) }), ids, 'client_credentials', NOW).expiresAt, exp * 1000);
    assert.equal(tokenSetFromResponse(response({}), ids, 'client_credentials', NOW).expiresAt, undefined);
  });

  it('records the granted scope, or the requested one when the server did not say', () => {
    assert.equal(tokenSetFromResponse(response({ scope: 'a b' }), ids, 'authorization_code', NOW, 'a b c').scope, 'a b');
    assert.equal(tokenSetFromResponse(response({}), ids, 'authorization_code', NOW, 'a b c').scope, 'a b c');
  });

  const previous: TokenSet = {
    ...ids,
    grant: 'authorization_code',
    accessToken: 'old-at',
    tokenType: 'Bearer',
    refreshToken: 'old-rt',
    idToken: 'old-id',
    scope: 'openid profile',
    issuedAt: NOW - 3_600_000,
    expiresAt: NOW,
    mark: 'sign-in-required',
  };

  it('replaces a rotated refresh token and keeps it when the response has none', () => {
    const rotated = applyRefresh(previous, response({ accessToken: 'new-at', refreshToken: 'new-rt', expiresIn: 60 }), NOW);
    assert.equal(rotated.refreshToken, 'new-rt');
    assert.equal(rotated.accessToken, 'new-at');
    assert.equal(rotated.expiresAt, NOW + 60_000);
    assert.equal(rotated.refreshedAt, NOW);
    assert.equal(rotated.mark, undefined);
    const kept = applyRefresh(previous, response({ accessToken: 'new-at' }), NOW);
    assert.equal(kept.refreshToken, 'old-rt');
    assert.equal(kept.idToken, 'old-id');
    assert.equal(kept.scope, 'openid profile');
    assert.equal(applyRefresh(previous, response({}), NOW, 'openid').scope, 'openid');
  });

  it('derives status from marks first, then the clock', () => {
    assert.equal(tokenStatus({ expiresAt: NOW + 1 }, NOW), 'valid');
    assert.equal(tokenStatus({ expiresAt: NOW }, NOW), 'expired');
    assert.equal(tokenStatus({ expiresAt: undefined }, NOW), 'valid');
    assert.equal(tokenStatus({ expiresAt: NOW + 1, mark: 'revoked' }, NOW), 'revoked');
    assert.equal(tokenStatus({ expiresAt: NOW - 1, mark: 'sign-in-required' }, NOW), 'sign-in-required');
  });

  it('finds scopes that would widen a refresh', () => {
    assert.deepEqual(scopeWidening('openid profile email', 'openid profile'), []);
    assert.deepEqual(scopeWidening('openid profile', 'openid admin'), ['admin']);
    assert.deepEqual(scopeWidening('openid', undefined), []);
  });
});
