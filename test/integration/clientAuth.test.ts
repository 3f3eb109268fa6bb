/**
 * private_key_jwt and client_secret_jwt applications inside the real extension host: keys in the
 * real SecretStorage, the key commands, and no key material anywhere on disk outside it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { browserFor, rejectsWith, sandboxEnvironment, useApiAndSandbox } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(command, ...args);

/** Every file under `dir` whose contents include `needle`. */
function filesContaining(dir: string, needle: string, found: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) filesContaining(full, needle, found);
    else if (entry.isFile() && fs.statSync(full).size < 64 * 1024 * 1024 && fs.readFileSync(full).includes(needle)) found.push(full);
  }
  return found;
}

/** The run's folders (user data with settings, globalState and logs; extensions), beside the results file the launcher named. */
function runDir(): string | undefined {
  const results = process.env.PTE_TEST_RESULTS;
  return results ? path.dirname(path.dirname(results)) : undefined;
}

describe('JWT client authentication in the real extension host', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  it('generates a private_key_jwt key, copies the public JWKS, gets tokens with it, and rotates it', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, {
      name: 'Key app',
      clientId: s.clients.privateKeyJwt.clientId,
      authMethod: 'private_key_jwt',
      grants: ['client_credentials'],
      scopes: 'p1:read:user',
    });
    assert.ok(app.keyId);
    assert.equal(app.signingAlg, 'RS256');
    assert.equal(app.hasSecret, false);
    const copied = await run<{ keys: Array<Record<string, unknown>> }>('pingone.copyPublicJwks', app.id);
    const clip = JSON.parse(await vscode.env.clipboard.readText()) as { keys: Array<Record<string, unknown>> };
    assert.deepEqual(clip, copied);
    assert.equal(clip.keys[0].kid, app.keyId);
    assert.equal(clip.keys[0].d, undefined, 'public parts only');
    await s.setClientJwks(s.clients.privateKeyJwt.clientId, clip);
    const info = await api.clientCredentials(app.id);
    assert.equal(info.status, 'valid');

    const rotated = await run<Record<string, unknown>>('pingone.rotateKey', app.id, { signingAlg: 'ES256' });
    const jwks = await api.getPublicJwks(app.id);
    assert.deepEqual(
      jwks.keys.map((k) => k.kid),
      [app.keyId, rotated.kid],
    );
    // Not registered yet: the server refuses the new key, with the kid to register, and nothing is lost.
    await rejectsWith(api.clientCredentials(app.id), 'invalid_client', new RegExp(`kid "${String(rotated.kid)}" is registered`));
    assert.deepEqual(
      api.listTokenSets().map((t) => t.id),
      [info.id],
    );
    await s.setClientJwks(s.clients.privateKeyJwt.clientId, jwks);
    assert.equal((await api.clientCredentials(app.id)).status, 'valid');
    await api.removeKey(app.id, app.keyId!);
    assert.deepEqual(
      (await api.getPublicJwks(app.id)).keys.map((k) => k.kid),
      [rotated.kid],
    );
  });

  it('keeps private keys and secrets out of every file on disk (settings, globalState, logs)', async function () {
    const dir = runDir();
    if (!dir || !fs.existsSync(path.join(dir, 'user-data'))) this.skip();
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const d = privateKey.export({ format: 'jwk' }).d!;
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const pk = await api.addApplication(env.id, {
      name: 'K',
      clientId: s.clients.privateKeyJwt.clientId,
      authMethod: 'private_key_jwt',
      privateKey: pem,
      grants: ['client_credentials'],
    });
    await s.setClientJwks(s.clients.privateKeyJwt.clientId, await api.getPublicJwks(pk.id));
    await api.clientCredentials(pk.id, { scope: 'p1:read:user' });
    const jwt = await api.addApplication(env.id, {
      name: 'J',
      clientId: s.clients.secretJwt.clientId,
      clientSecret: s.clients.secretJwt.clientSecret,
      authMethod: 'client_secret_jwt',
      grants: ['client_credentials'],
    });
    await api.clientCredentials(jwt.id, { scope: 'p1:read:user' });
    const tokens = await api.getTokens(api.listTokenSets()[0].id);
    const pemBody = pem.split('\n')[1];
    for (const needle of [d, pemBody, s.clients.secretJwt.clientSecret!, tokens.accessToken]) {
      assert.deepEqual(filesContaining(dir!, needle), [], 'found on disk outside SecretStorage');
    }
  });

  it('Edit Application with arguments sets the signing algorithm and the assertion audience; another algorithm for a key is refused', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const c = s.clients.secretJwt;
    const app = await run<{ id: string }>('pingone.addApplication', env.id, {
      name: 'J',
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      authMethod: 'client_secret_jwt',
      signingAlg: 'HS384',
      assertionAudience: 'issuer',
      grants: ['client_credentials'],
      scopes: 'p1:read:user',
    });
    let [info] = await api.listApplications(env.id);
    assert.equal(info.signingAlg, 'HS384');
    assert.equal(info.assertionAudience, 'issuer');
    assert.equal((await api.clientCredentials(app.id)).status, 'valid');
    await run('pingone.editApplication', app.id, {
      name: 'J',
      clientId: c.clientId,
      authMethod: 'client_secret_jwt',
      signingAlg: 'HS512',
      grants: ['client_credentials'],
      scopes: 'p1:read:user',
    });
    [info] = await api.listApplications(env.id);
    assert.equal(info.signingAlg, 'HS512');
    assert.equal(info.hasSecret, true, 'the stored secret is kept');
    assert.equal((await api.clientCredentials(app.id)).status, 'valid');

    const pk = await api.addApplication(env.id, {
      name: 'K',
      clientId: s.clients.privateKeyJwt.clientId,
      authMethod: 'private_key_jwt',
      signingAlg: 'ES384',
      grants: ['client_credentials'],
    });
    assert.equal(pk.signingAlg, 'ES384');
    const jwks = await api.getPublicJwks(pk.id);
    assert.equal(
      await run('pingone.editApplication', pk.id, {
        name: 'K',
        clientId: pk.clientId,
        authMethod: 'private_key_jwt',
        signingAlg: 'RS256',
        grants: ['client_credentials'],
      }),
      undefined,
      'one message, no rejection',
    );
    await rejectsWith(api.updateApplication(pk.id, { signingAlg: 'RS256' }), 'invalid_input', /rotate to a new key/);
    assert.deepEqual(await api.getPublicJwks(pk.id), jwks, 'the key is unchanged');
    assert.equal((await api.updateApplication(pk.id, { assertionAudience: 'issuer' })).keyId, pk.keyId);
  });

  it('updates an application to client_secret_jwt through the API and authenticates with it', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, {
      name: 'J',
      clientId: s.clients.secretJwt.clientId,
      clientSecret: s.clients.secretJwt.clientSecret,
      authMethod: 'client_secret_post',
      grants: ['client_credentials'],
      scopes: 'p1:read:user',
    });
    await rejectsWith(api.clientCredentials(app.id), 'invalid_client');
    const updated = await api.updateApplication(app.id, { authMethod: 'client_secret_jwt' });
    assert.equal(updated.authMethod, 'client_secret_jwt');
    assert.equal(updated.signingAlg, 'HS256');
    assert.equal(updated.hasSecret, true, 'the stored secret is kept');
    assert.equal((await api.clientCredentials(app.id)).status, 'valid');
  });
});

describe('DPoP-bound tokens in the real extension host', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  /** Runs a copied command the way a shell does, with the real curl; returns its output. */
  async function runInShell(command: string): Promise<string> {
    const { execFile } = await import('node:child_process');
    return new Promise((resolve, reject) =>
      execFile(
        'bash',
        ['--norc', '--noprofile', '-c', `${command} --silent --show-error --max-time 10`],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout)),
      ),
    );
  }

  it('"Copy as curl" gives a DPoP command with a fresh proof for the URL asked for, bound to the set\'s key, that works against userinfo', async () => {
    const { EmbeddedJWK, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, jwtVerify } = await import('jose');
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const c = s.clients.dpop;
    const app = await api.addApplication(env.id, {
      name: 'DPoP app',
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      authMethod: c.authMethod,
      grants: ['authorization_code'],
      scopes: 'openid profile',
      dpop: true,
    });
    const info = await api.signIn(app.id, { openExternal: browserFor(s) });
    assert.equal(info.dpop, true);
    const { accessToken } = await api.getTokens(info.id);
    const jkt = (decodeJwt(accessToken).cnf as { jkt?: string } | undefined)?.jkt;
    assert.ok(jkt, 'the token is bound to a key');
    const userinfo = `${s.pingone.issuer}/userinfo`;

    for (const method of ['GET', 'POST']) {
      await run('pingone.copyAsCurl', info.id, { url: `${userinfo}?x=1`, method });
      const copied = await vscode.env.clipboard.readText();
      const proof = /-H 'DPoP: ([^']+)'/.exec(copied)?.[1];
      assert.ok(proof, copied.replace(accessToken, '<token>'));
      assert.ok(copied.includes(`-H 'Authorization: DPoP ${accessToken}'`));
      assert.equal(copied.includes('-X POST'), method === 'POST');
      const { payload } = await jwtVerify(proof!, EmbeddedJWK, { typ: 'dpop+jwt', maxTokenAge: '60s' });
      assert.equal(payload.htm, method);
      assert.equal(payload.htu, userinfo, 'htu is the URL without its query');
      assert.equal(await calculateJwkThumbprint(decodeProtectedHeader(proof!).jwk!), jkt, "signed by the set's key (cnf.jkt)");
      assert.equal((decodeProtectedHeader(proof!).jwk as Record<string, unknown>).d, undefined, 'only the public key travels');
      // What a person does next: paste it into a shell. The sandbox checks the proof like a resource server.
      const answer = JSON.parse(await runInShell(copied)) as { sub?: string; error?: string };
      assert.equal(answer.sub, s.user.sub, JSON.stringify(answer));
    }

    // A proof is for one request: the GET proof does not pass for a POST.
    await run('pingone.copyAsCurl', info.id, { url: userinfo, method: 'GET' });
    const getCommand = await vscode.env.clipboard.readText();
    const replayed = JSON.parse(await runInShell(getCommand.replace(/^curl /, 'curl -X POST '))) as { error?: string; error_description?: string };
    assert.equal(replayed.error, 'invalid_token');
    assert.match(String(replayed.error_description), /another request/);
  });
});
