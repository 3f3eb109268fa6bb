/**
 * The new grants' credentials never reach an error message, even when a server echoes them back in
 * its error_description: a small node:http token endpoint on loopback that does exactly that.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExplorerError } from '../../src/core/errors';
import { cibaTokenRequest } from '../../src/core/grants/ciba';
import { deviceCodeTokenRequest } from '../../src/core/grants/deviceCode';
import { passwordGrant } from '../../src/core/grants/password';
import { tokenExchangeGrant } from '../../src/core/grants/tokenExchange';

describe('grant credentials in error messages', () => {
  let server: Server;
  let url: string;

  before(async () => {
    // Echoes every form value back in the error description, as a careless server might.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const values = [...new URLSearchParams(body).values()].join(' ');
        res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant', error_description: `rejected: ${values}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const call = { client: { clientId: 'app', clientSecret: 'client-secret-value', authMethod: 'client_secret_post' as const }, http: { timeoutMs: 5000 } };

  async function message(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof ExplorerError);
      assert.equal(err.code, 'invalid_grant');
      return `${err.message} ${err.description ?? ''}`;
    }
    assert.fail('expected a failure');
  }

  it('redacts the password, device code, auth_req_id, subject and actor tokens and the client secret', async () => {
    const texts = [
      await message(passwordGrant(url, call, { username: 'demo', password: 'Hunter2-Passw0rd!' })),
      await message(deviceCodeTokenRequest(url, call, 'device-code-credential-value')),
      await message(cibaTokenRequest(url, call, 'auth-req-id-credential-value')),
      await message(
        tokenExchangeGrant(url, call, {
          subjectToken: 'subject-token-credential-value',
          subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
          actorToken: 'actor-token-credential-value',
          actorTokenType: 'urn:ietf:params:oauth:token-type:access_token',
        }),
      ),
    ].join('\n');
    assert.match(texts, /rejected:/);
    for (const secret of [
      'Hunter2-Passw0rd!',
      'device-code-credential-value',
      'auth-req-id-credential-value',
      'subject-token-credential-value',
      'actor-token-credential-value',
      'client-secret-value',
    ]) {
      assert.ok(!texts.includes(secret), `${secret} leaked: ${texts}`);
    }
  });
});
