import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { clientCredentialsGrant } from '../../src/core/oauth';
import { ProxyAgents, bypassesProxy } from '../../src/core/proxy';
import { failure } from '../support/failure';
import { selfSignedCertificate } from '../support/tls';

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

  describe('through a CONNECT proxy', () => {
    // A TLS server whose certificate names upstream.test, as a remote host's would; a recording
    // proxy that opens CONNECT tunnels and resolves that name to the loopback server, the way a
    // real proxy resolves through its DNS. Loopback itself is never proxied.
    let upstream: https.Server;
    let port: number;
    let proxy: http.Server;
    let proxyUrl: string;
    const tunnels: string[] = [];
    before(async () => {
      upstream = https.createServer(selfSignedCertificate('upstream.test', 'DNS:upstream.test,IP:127.0.0.1'), (_req, res) =>
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"access_token":"a","token_type":"Bearer"}'),
      );
      await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
      port = (upstream.address() as AddressInfo).port;
      proxy = http.createServer((_req, res) => res.writeHead(405).end());
      proxy.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
        tunnels.push(`${req.method} ${req.url}`);
        const target = net.connect(Number(new URL(`http://${req.url}`).port), '127.0.0.1', () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          target.pipe(client);
          client.pipe(target);
        });
        target.on('error', () => client.destroy());
        client.on('error', () => target.destroy());
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });
    after(async () => {
      proxy.closeAllConnections();
      upstream.closeAllConnections();
      await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => upstream.close(r))]);
    });
    beforeEach(() => (tunnels.length = 0));

    const client = { clientId: 'c', clientSecret: 's3cret', authMethod: 'client_secret_basic' as const };
    const grant = (url: string, config: { proxy?: string; strictSSL: boolean; noProxy: string[] }, agents: ProxyAgents) =>
      clientCredentialsGrant(url, { client, http: { timeoutMs: 5000, agent: (u) => agents.agentFor(u, config) } });

    it('tunnels an https request to a remote host, and verifies its certificate through the tunnel', async () => {
      const agents = new ProxyAgents();
      try {
        // The upstream's certificate is self-signed: with http.proxyStrictSSL on, it is refused.
        const refused = await failure(grant(`https://upstream.test:${port}/token`, { proxy: proxyUrl, strictSSL: true, noProxy: [] }, agents));
        assert.equal(refused.code, 'network');
        assert.match(refused.message, /self[- ]signed|certificate/i);
        assert.deepEqual(tunnels, [`CONNECT upstream.test:${port}`]);
        // With it off (a proxy that intercepts TLS), the same request succeeds through the tunnel.
        const tokens = await grant(`https://upstream.test:${port}/token`, { proxy: proxyUrl, strictSSL: false, noProxy: [] }, agents);
        assert.equal(tokens.accessToken, 'a');
        assert.deepEqual(tunnels, [`CONNECT upstream.test:${port}`, `CONNECT upstream.test:${port}`]);
      } finally {
        agents.dispose();
      }
    });

    it('goes direct to loopback even with a proxy and an empty no-proxy list, and refuses plain http to a remote host', async () => {
      const agents = new ProxyAgents();
      try {
        // Direct: the loopback server's self-signed certificate is refused even with strictSSL off.
        const direct = await failure(grant(`https://127.0.0.1:${port}/token`, { proxy: proxyUrl, strictSSL: false, noProxy: [] }, agents));
        assert.match(direct.message, /self[- ]signed|certificate/i);
        // Plain http:// to a remote host is refused before anything is sent, proxy or not.
        const plain = await failure(grant(`http://upstream.test:${port}/token`, { proxy: proxyUrl, strictSSL: false, noProxy: [] }, agents));
        assert.equal(plain.code, 'invalid_input');
        assert.match(plain.message, /Nothing was sent to http:\/\/upstream\.test:\d+\/token: requests must use https:\/\//);
        assert.deepEqual(tunnels, [], `proxy saw: ${tunnels.join(', ')}`);
      } finally {
        agents.dispose();
      }
    });
  });
});
