import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientCredentialsGrant } from '../../src/core/oauth';
import { ProxyAgents, bypassesProxy } from '../../src/core/proxy';
import { type FaultServer, startFaultServer } from '../support/faultServer';

describe('proxy selection', () => {
  it('matches no-proxy entries by host, suffix, port and wildcard', () => {
    const cases: Array<[string, string[], boolean]> = [
      ['https://auth.pingone.com/x', ['auth.pingone.com'], true],
      ['https://auth.pingone.com/x', ['.pingone.com'], true],
      ['https://auth.pingone.com/x', ['*.pingone.com'], true],
      ['https://pingone.com/x', ['.pingone.com'], true],
      ['https://notpingone.com/x', ['.pingone.com'], false],
      ['https://evilpingone.com/x', ['pingone.com'], false],
      ['http://127.0.0.1:9031/x', ['127.0.0.1:9031'], true],
      ['http://127.0.0.1:9032/x', ['127.0.0.1:9031'], false],
      ['https://idp.example/x', ['*'], true],
      ['https://idp.example/x', [], false],
    ];
    for (const [url, list, expected] of cases) assert.equal(bypassesProxy(new URL(url), list), expected, `${url} vs ${list.join(',')}`);
  });

  it('sends requests through the configured forward proxy, and directly for no-proxy hosts', async () => {
    const upstream: FaultServer = await startFaultServer();
    upstream.route('/token', { kind: 'json', status: 200, body: { access_token: 'a', token_type: 'Bearer' } });
    const seen: string[] = [];
    // The upstream is named as a remote host would be (loopback is never proxied); the proxy
    // resolves that name to the loopback server, the way a real proxy resolves through its DNS.
    const port = new URL(upstream.url).port;
    const named = `http://upstream.test:${port}`;
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const target = new URL(req.url!);
      target.hostname = '127.0.0.1';
      const up = http.request(target, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const agents = new ProxyAgents();
    try {
      const config = { proxy: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, strictSSL: true, noProxy: [] as string[] };
      const client = { clientId: 'c', clientSecret: 's3cret', authMethod: 'client_secret_basic' as const };
      await clientCredentialsGrant(`${named}/token`, { client, http: { timeoutMs: 5000, agent: (u) => agents.agentFor(u, config) } });
      assert.deepEqual(seen, [`POST ${named}/token`]);
      // Loopback goes direct even with a proxy configured and an empty no-proxy list.
      await clientCredentialsGrant(`${upstream.url}/token`, { client, http: { timeoutMs: 5000, agent: (u) => agents.agentFor(u, config) } });
      assert.equal(seen.length, 1, 'a loopback request went direct');
      assert.equal(upstream.requests.length, 2);
    } finally {
      agents.dispose();
      proxy.closeAllConnections();
      proxy.close();
      await upstream.close();
    }
  });
});
