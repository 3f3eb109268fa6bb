/**
 * Requests honour VS Code's proxy setting: with `http.proxy` pointing at a loopback proxy, a token
 * request reaches the sandbox through it.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { activateApi, reset, sandbox, sandboxEnvironment, workerApplication } from './helpers';

/** A minimal forward proxy for plain-HTTP absolute-URI requests; records what passed through. */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('proxy settings', () => {
  it('sends token requests through http.proxy', async () => {
    const api = await activateApi();
    const s = await sandbox();
    await reset(api);
    const proxy = await startProxy();
    const config = vscode.workspace.getConfiguration('http');
    await config.update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
    try {
      const env = await api.addEnvironment(sandboxEnvironment(s));
      const app = await api.addApplication(env.id, workerApplication(s, 'W'));
      await api.clientCredentials(app.id);
      assert.ok(proxy.seen.some((l) => l.startsWith('POST ') && l.endsWith('/as/token')), `proxy saw: ${proxy.seen.join(', ') || 'nothing'}`);
      // Storing the first token fires SecretStorage's change event; the endpoints stay cached.
      await api.clientCredentials(app.id);
      assert.equal(proxy.seen.filter((l) => l.endsWith('/.well-known/openid-configuration')).length, 1, `proxy saw: ${proxy.seen.join(', ')}`);
      assert.equal(proxy.seen.filter((l) => l.endsWith('/as/token')).length, 2);
    } finally {
      await config.update('proxy', undefined, vscode.ConfigurationTarget.Global);
      await proxy.close();
      await reset(api);
    }
  });
});
