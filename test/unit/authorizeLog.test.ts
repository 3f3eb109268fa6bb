import assert from 'node:assert/strict';
import { buildAuthorizationRequest } from '../../src/core/authorize';
import { describeAuthorizationUrl } from '../../src/core/authorizeLog';

describe('the log line of an authorization request', () => {
  const request = buildAuthorizationRequest('https://auth.pingone.eu/env-1/as/authorize', {
    clientId: 'web-client',
    redirectUri: 'http://127.0.0.1:53123/callback',
    scope: 'openid profile email',
  });
  const line = describeAuthorizationUrl(request.url);

  it('names the endpoint, the client, the scope and the redirect URI', () => {
    assert.match(line, /^authorization request to https:\/\/auth\.pingone\.eu\/env-1\/as\/authorize: /);
    assert.match(line, / ?client_id=web-client /);
    assert.match(line, / scope=openid profile email /);
    assert.match(line, / redirect_uri=http:\/\/127\.0\.0\.1:53123\/callback /);
    assert.match(line, /code_challenge_method=S256/);
  });

  it('never writes state, nonce or the code challenge in full', () => {
    for (const secret of [request.state, request.nonce, request.pkce.challenge]) {
      assert.ok(secret.length > 20);
      assert.ok(!line.includes(secret), `${secret.slice(0, 4)}… appears in full`);
      assert.ok(!line.includes(secret.slice(0, 8)), 'more than the first characters appear');
    }
    assert.ok(!line.includes(request.pkce.verifier.slice(0, 8)));
  });

  it('says so for a URL it cannot parse instead of echoing it', () => {
    assert.equal(describeAuthorizationUrl('not a url?state=abc'), 'authorization request (unparsable URL)');
  });
});
