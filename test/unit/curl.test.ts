/**
 * "Copy as curl" cannot be turned into a shell command by a server (issue #10, finding 4). The
 * copied text is parsed by a real bash (`bash -n`) and run (`bash -c`) in a temp dir with `curl`
 * defined as a function that prints its arguments, so what a pasted command would do is observed,
 * not guessed: exactly one curl call with literal arguments, and no file created.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { curlCommand, shellQuote } from '../../src/core/curl';
import { ExplorerError } from '../../src/core/errors';
import { clientCredentialsGrant } from '../../src/core/oauth';
import { type FaultServer, startFaultServer } from '../support/faultServer';

/** Runs `command` as pasted into bash, in an empty temp dir; returns curl's arguments and the files left there. */
function pasteIntoBash(command: string): { args: string[]; files: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-curl-'));
  try {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' }; // no BASH_ENV, no rc files
    execFileSync('bash', ['--norc', '--noprofile', '-n', '-c', command], { env });
    const script = `curl() { printf '%s\\0' "$@"; }\n${command}`;
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script], { cwd: dir, env }).toString();
    return { args: out.split('\0').slice(0, -1), files: fs.readdirSync(dir) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function refused(f: () => unknown, field: string): ExplorerError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof ExplorerError && err.code === 'invalid_input' && err.field === field, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

describe('copy as curl', () => {
  it('passes every character of a valid token and URL to curl literally', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.e30.abc-_~+/==';
    const url = 'https://api.example.com/v1/environments/x?filter=a&b=$(touch%20pwned);c=*!';
    const { args, files } = pasteIntoBash(curlCommand(url, 'Bearer', token));
    assert.deepEqual(args, ['-H', `Authorization: Bearer ${token}`, url]);
    assert.deepEqual(files, []);
  });

  it('quotes a single quote inside an argument', () => {
    // Not reachable from a server (the checks refuse it first), but the quoting itself must hold.
    const hostile = "it's $(touch pwned) `touch pwned` \\' \"; touch pwned";
    const { args, files } = pasteIntoBash(`curl ${shellQuote(hostile)} ${shellQuote("'")}`);
    assert.deepEqual(args, [hostile, "'"]);
    assert.deepEqual(files, []);
  });

  it('refuses a hostile token_type, access token or URL, naming none of them', () => {
    for (const type of ['Bearer $(touch pwned)', 'Bearer`id`', "Bearer' ; touch pwned; '", 'Bearer\ntouch pwned']) {
      const err = refused(() => curlCommand('https://a.example/p', type, 'abc'), 'tokenType');
      assert.ok(!err.message.includes('pwned'));
    }
    for (const token of ["abc'$(touch pwned)'", 'abc def', 'abc"', 'abc\\']) refused(() => curlCommand('https://a.example/p', 'Bearer', token), 'accessToken');
    for (const url of [
      "https://a.example/p'$(touch pwned)'",
      'https://a.example/p q',
      'https://a.example/{a,b}',
      'https://a.example/[1-9]',
      'https://a.example/p"',
      'https://a.example/p\\q',
      'file:///etc/passwd',
    ]) {
      refused(() => curlCommand(url, 'Bearer', 'abc'), 'url');
    }
    // IPv6 loopback hosts keep their brackets.
    assert.deepEqual(pasteIntoBash(curlCommand('http://[::1]:8080/userinfo', 'Bearer', 'abc')).args.at(-1), 'http://[::1]:8080/userinfo');
  });

  describe('DPoP-bound tokens', () => {
    it('sends the token with the DPoP scheme and a DPoP header holding a proof for that method and URL', async () => {
      const { createDpopProof, generateDpopKey, dpopThumbprint } = await import('../../src/core/dpop');
      const { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } = await import('jose');
      const key = await generateDpopKey();
      const token = 'eyJhbGciOiJSUzI1NiJ9.e30.sig-_';
      const url = 'https://api.example.com/v1/users?limit=1';
      for (const method of ['GET', 'POST']) {
        const proof = await createDpopProof(key, { method, url, accessToken: token });
        const { args, files } = pasteIntoBash(curlCommand(url, 'DPoP', token, { method, dpopProof: proof }));
        assert.deepEqual(args, [...(method === 'GET' ? [] : ['-X', method]), '-H', `Authorization: DPoP ${token}`, '-H', `DPoP: ${proof}`, url]);
        assert.deepEqual(files, []);
        const { payload } = await jwtVerify(args.at(-2)!.slice('DPoP: '.length), EmbeddedJWK, { typ: 'dpop+jwt' });
        assert.equal(payload.htm, method);
        assert.equal(payload.htu, 'https://api.example.com/v1/users');
        assert.equal(await calculateJwkThumbprint(decodeProtectedHeader(proof).jwk!), await dpopThumbprint(key));
      }
    });

    it('refuses a proof that is not a compact JWT and a method that is not a name, naming neither', () => {
      for (const proof of ["a.b.c'$(touch pwned)'", 'a.b', 'a.b.c d']) {
        const err = refused(() => curlCommand('https://a.example/p', 'DPoP', 'abc', { dpopProof: proof }), 'dpop');
        assert.ok(!err.message.includes('pwned'));
      }
      for (const method of ['get', 'GET -o /tmp/x', "POST'"]) refused(() => curlCommand('https://a.example/p', 'DPoP', 'abc', { method, dpopProof: 'a.b.c' }), 'method');
    });
  });

  describe('token responses', () => {
    let server: FaultServer;
    beforeEach(async () => (server = await startFaultServer()));
    afterEach(() => server.close());
    const call = { client: { clientId: 'c', clientSecret: 'secret-value', authMethod: 'client_secret_basic' as const }, http: { timeoutMs: 5000 } };

    it('refuses a token_type that is not a name and an access token that is not a b64token, when the response is parsed', async () => {
      for (const body of [
        { access_token: 'abc', token_type: 'Bearer $(touch pwned)' },
        { access_token: "abc'; touch pwned; '", token_type: 'Bearer' },
      ]) {
        server.route('/token', { kind: 'json', status: 200, body });
        await assert.rejects(
          clientCredentialsGrant(`${server.url}/token`, call),
          (err: unknown) => err instanceof ExplorerError && err.code === 'invalid_response' && !err.message.includes('pwned'),
        );
      }
      server.route('/token', { kind: 'json', status: 200, body: { access_token: 'abc.def_-~+/=', token_type: 'N_A' } });
      assert.equal((await clientCredentialsGrant(`${server.url}/token`, call)).tokenType, 'N_A');
    });
  });
});
