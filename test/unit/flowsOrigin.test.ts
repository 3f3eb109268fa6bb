/**
 * The headless sign-in sends the password and the session cookies only to the flows API's own
 * origin (issue #10, finding 5): a flow answer whose `usernamePassword.check` link or `resumeUrl`
 * points elsewhere is refused before anything is sent there. Two loopback servers on different
 * ports are two origins; the foreign one records whatever reaches it.
 */
import assert from 'node:assert/strict';
import type { Endpoints } from '../../src/core/endpoints';
import { ExplorerError } from '../../src/core/errors';
import { flowUrl, flowsSignIn } from '../../src/core/flows';
import { type FaultServer, startFaultServer } from '../support/faultServer';

const PASSWORD = 'flows-password-3e9a';

describe('flows API: password and cookies stay on the flows origin', () => {
  let flows: FaultServer;
  let foreign: FaultServer;
  beforeEach(async () => {
    flows = await startFaultServer();
    foreign = await startFaultServer();
  });
  afterEach(async () => {
    await flows.close();
    await foreign.close();
  });

  const endpoints = (): Endpoints => ({
    issuer: `${flows.url}/env/as`,
    authorization: `${flows.url}/env/as/authorize`,
    token: `${flows.url}/env/as/token`,
    flowsBase: `${flows.url}/env`,
    source: 'fallback',
  });
  const signIn = () =>
    flowsSignIn(endpoints(), { clientId: 'c', redirectUri: 'http://127.0.0.1/callback', scope: 'openid', username: 'u', password: PASSWORD, http: { timeoutMs: 5000 } });

  async function refusal(): Promise<ExplorerError> {
    try {
      await signIn();
    } catch (err) {
      assert.ok(err instanceof ExplorerError, String(err));
      return err;
    }
    assert.fail('expected a refusal');
  }

  it('refuses a usernamePassword.check link on another origin; the password goes nowhere', async () => {
    flows.route('/env/as/authorize', {
      kind: 'json',
      status: 200,
      body: { id: 'f1', status: 'USERNAME_PASSWORD_REQUIRED', _links: { 'usernamePassword.check': { href: `${foreign.url}/env/flows/f1` } } },
      headers: { 'Set-Cookie': 'ST=session-cookie-1; Path=/' },
    });
    const err = await refusal();
    assert.equal(err.code, 'invalid_response');
    assert.match(err.message, new RegExp(`usernamePassword\\.check link points to ${foreign.url.replace(/[.]/g, '\\.')}, not to the flows API`));
    assert.deepEqual(foreign.requests, []);
    assert.deepEqual(
      flows.requests.map((r) => r.method),
      ['GET'],
    );
  });

  it('refuses a resumeUrl on another origin; the session cookies go nowhere', async () => {
    flows.route('/env/as/authorize', {
      kind: 'json',
      status: 200,
      body: { id: 'f1', status: 'USERNAME_PASSWORD_REQUIRED', _links: { 'usernamePassword.check': { href: `${flows.url}/env/flows/f1` } } },
      headers: { 'Set-Cookie': 'ST=session-cookie-1; Path=/' },
    });
    flows.route('/env/flows/f1', { kind: 'json', status: 200, body: { id: 'f1', status: 'COMPLETED', resumeUrl: `${foreign.url}/env/as/resume?flowId=f1` } });
    const err = await refusal();
    assert.equal(err.code, 'invalid_response');
    assert.match(err.message, /resumeUrl points to/);
    assert.deepEqual(foreign.requests, []);
    // The check went to the flows origin, with the cookie its own answer set.
    const check = flows.requests.find((r) => r.method === 'POST')!;
    assert.equal(check.headers.cookie, 'ST=session-cookie-1');
    assert.ok(check.body.includes(PASSWORD));
  });

  it('accepts same-origin links (relative too) and requires https except on loopback', () => {
    assert.equal(flowUrl('/env/flows/1', 'https://auth.example.com/env', 'link'), 'https://auth.example.com/env/flows/1');
    assert.equal(
      flowUrl('https://auth.example.com/env/as/resume?flowId=1', 'https://auth.example.com/env', 'resumeUrl'),
      'https://auth.example.com/env/as/resume?flowId=1',
    );
    assert.throws(() => flowUrl('http://auth.example.com/env/flows/1', 'http://auth.example.com/env', 'link'), /must use https/);
    assert.throws(() => flowUrl('https://auth.example.com.evil.test/env', 'https://auth.example.com/env', 'link'), /points to https:\/\/auth\.example\.com\.evil\.test/);
    assert.equal(flowUrl('http://127.0.0.1:9/env/flows/1', 'http://127.0.0.1:9/env', 'link'), 'http://127.0.0.1:9/env/flows/1');
  });
});
