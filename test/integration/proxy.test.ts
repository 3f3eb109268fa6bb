/**
 * VS Code's proxy setting and loopback: with `http.proxy` pointing at a recording proxy, token
 * requests to the sandbox on 127.0.0.1 go direct (loopback is never proxied: plain-http local
 * traffic would cross the proxy in cleartext, issue #10 finding 6b). Proxying of remote hosts is
 * tested in test/unit/proxy.test.ts, with a proxy that resolves a remote name.
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
  it('reaches a loopback issuer directly, never through http.proxy', async () => {
    const api = await activateApi();
    const s = await sandbox();
    await reset(api);
    const proxy = await startProxy();
    const config = vscode.workspace.getConfiguration('http');
    await config.update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
    try {
      const env = await api.addEnvironment(sandboxEnvironment(s));
      const app = await api.addApplication(env.id, workerApplication(s, 'W'));
      s.resetStats();
      await api.clientCredentials(app.id);
      await api.clientCredentials(app.id);
      assert.equal(s.stats().tokenRequests, 2);
      assert.deepEqual(proxy.seen, [], `proxy saw: ${proxy.seen.join(', ')}`);
    } finally {
      await config.update('proxy', undefined, vscode.ConfigurationTarget.Global);
      await proxy.close();
      await reset(api);
    }
  });
});
