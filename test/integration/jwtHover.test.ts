/**
 * The JWT hover in the real extension host, through vscode.executeHoverProvider on a document that
 * holds a token from the sandbox: claims with local times, the signature verified against the
 * configured environment's key set, and an unknown issuer never contacted.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { sandboxEnvironment, useApiAndSandbox, workerApplication } from './helpers';

async function hoverText(content: string, needle: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument({ content, language: 'plaintext' });
  const offset = content.indexOf(needle) + 10;
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(offset));
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('JWT hover', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  it('explains a JWT from a configured environment: claims, local expiry, verified signature, links', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, workerApplication(s));
    const info = await api.clientCredentials(app.id);
    const { accessToken } = await api.getTokens(info.id);
    const text = await hoverText(`curl -H "Authorization: Bearer ${accessToken}" https://api.example.com\n`, accessToken);
    assert.match(text, /\*\*JWT\*\* · `[A-Z]{2}\d{3}`/);
    assert.match(text, /exp: .*\(expires in \d/);
    const exp = api.decode(accessToken).payload.exp as number;
    assert.ok(text.includes(`exp: ${new Date(exp * 1000).toLocaleString()}`), 'exp as a local time');
    assert.ok(text.includes(`iss: "${env.issuer}"`), text);
    assert.match(text, /Signature: ✓ verified/);
    assert.match(text, /Open in Token Inspector\]\(command:pingone\.decodeJwt\?/);
    assert.match(text, /Copy decoded claims\]\(command:pingone\.copyJwtClaims\?/);
  });

  it('does not contact an unknown issuer and says so; ignores text that only looks like three segments', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => (requests++, res.end('{}')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const iss = `http://127.0.0.1:${(server.address() as AddressInfo).port}/unknown`;
      const token = `${b64({ alg: 'RS256', kid: 'k' })}.${b64({ iss, sub: 'someone', exp: Math.floor(Date.now() / 1000) - 120 })}.c2ln`;
      const text = await hoverText(`token = "${token}"`, token);
      assert.match(text, /expired 2 min ago/);
      assert.match(text, /not checked \(the issuer is not a configured environment; nothing was fetched\)/);
      assert.equal(requests, 0);
      assert.equal(await hoverText('see www.example.com.and.more for details', 'example'), '');
      assert.equal(await hoverText(`v = "${b64({ notAlg: 1 })}.${b64({ a: 1 })}.x"`, 'eyJ'), '');
    } finally {
      server.close();
    }
  });
});
