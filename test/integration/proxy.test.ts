/**
 * Proxies are VS Code's: its proxy support (`http.proxySupport`, on by default) routes the requests
 * extensions make, from `http.proxy`, `http.noProxy`, the environment or the system. These tests run
 * the extension's own requests in the real extension host against a recording proxy on loopback:
 * a remote issuer is reached through a CONNECT tunnel, `http.noProxy` and `http.proxySupport: off`
 * are honoured, and the sandbox on 127.0.0.1 is reached directly (plain-http local traffic must
 * not cross a proxy in cleartext, issue #10 finding 6b).
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import { activateApi, reset, sandbox, sandboxEnvironment, workerApplication } from './helpers';

/** A proxy that records each request: CONNECT tunnels are refused with 403, plain requests forwarded. */
async function startProxy(): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = http.request(new URL(req.url ?? ''), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
    seen.push(`${req.method} ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** A loopback port on 127.0.0.2 with nothing listening (bound, then closed): a direct connection is refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.2', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('proxy settings', () => {
  let api: PingOneTokenExplorerApi;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  const http_ = () => vscode.workspace.getConfiguration('http');
  const set = (key: string, value: unknown) => http_().update(key, value, vscode.ConfigurationTarget.Global);

  /** The error of a client-credentials token for an OpenID issuer that is not the sandbox. */
  async function tokenFrom(issuer: string): Promise<Error & { code?: string }> {
    const env = await api.addEnvironment({ name: 'Remote', kind: 'oidc', issuer });
    const app = await api.addApplication(env.id, { name: 'W', clientId: 'c', clientSecret: 's', authMethod: 'client_secret_basic' });
    return api.clientCredentials(app.id).then(
      () => assert.fail('no token can come from this issuer'),
      (err: Error) => err,
    );
  }

  beforeEach(async () => {
    api = await activateApi();
    await reset(api);
    proxy = await startProxy();
    await set('proxy', proxy.url);
  });
  afterEach(async () => {
    for (const key of ['proxy', 'noProxy', 'proxySupport']) await set(key, undefined);
    await proxy.close();
    await reset(api);
  });

  it('reaches a remote issuer through http.proxy in a CONNECT tunnel', async () => {
    const err = await tokenFrom('https://idp.proxy-test.example');
    assert.deepEqual(proxy.seen, ['CONNECT idp.proxy-test.example:443']);
    // The proxy refused the tunnel, and the user is told the discovery request was refused.
    assert.match(err.message, /Discovery at https:\/\/idp\.proxy-test\.example\/\.well-known\/openid-configuration answered HTTP 403/);
  });

  it('goes direct to a host that http.noProxy lists', async () => {
    const port = await closedPort();
    await set('noProxy', ['127.0.0.2']);
    const err = await tokenFrom(`https://127.0.0.2:${port}`);
    assert.deepEqual(proxy.seen, []);
    assert.equal(err.code, 'network');
  });

  it('goes direct when http.proxySupport is off', async () => {
    const port = await closedPort();
    await set('proxySupport', 'off');
    const err = await tokenFrom(`https://127.0.0.2:${port}`);
    assert.deepEqual(proxy.seen, []);
    assert.equal(err.code, 'network');
  });

  it('reaches the sandbox on 127.0.0.1 directly, never through http.proxy', async () => {
    const s = await sandbox();
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, workerApplication(s, 'W'));
    s.resetStats();
    await api.clientCredentials(app.id);
    await api.clientCredentials(app.id);
    assert.equal(s.stats().tokenRequests, 2);
    assert.deepEqual(proxy.seen, [], `proxy saw: ${proxy.seen.join(', ')}`);
  });

  it('sends other loopback addresses (127.0.0.2) through the proxy unless http.noProxy lists them, as VS Code does', async () => {
    const port = await closedPort();
    await tokenFrom(`https://127.0.0.2:${port}`);
    assert.deepEqual(proxy.seen, [`CONNECT 127.0.0.2:${port}`]);
  });
});
