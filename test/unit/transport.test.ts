/**
 * How connections are made (issue #10, finding 6): certificates are always checked (a self-signed
 * HTTPS server on loopback, its certificate made by openssl, test/support/tls.ts), and a 1 MiB cap
 * on answers, enforced while streaming.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { MAX_BODY_BYTES, httpRequest } from '../../src/core/http';
import { failure } from '../support/failure';
import { selfSignedCertificate } from '../support/tls';

describe('transport', () => {
  describe('TLS on direct connections', () => {
    let server: https.Server;
    let url: string;
    before(async () => {
      server = https.createServer(selfSignedCertificate('localhost', 'IP:127.0.0.1'), (_req, res) =>
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}'),
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

    it('refuses a self-signed certificate and names the certificate problem', async () => {
      const err = await failure(httpRequest({ method: 'GET', url }, { timeoutMs: 5000 }));
      assert.equal(err.code, 'network');
      assert.match(err.message, /self[- ]signed|certificate/i);
    });
  });

  describe('answer size', () => {
    let server: http.Server;
    let base: string;
    let sent = 0;
    let closed: Promise<void>;
    before(async () => {
      server = http.createServer((req, res) => {
        if (req.url === '/declared') {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(400 * 1024 * 1024) });
          res.write('{');
          return;
        }
        // An endless JSON-looking body, written as fast as the client reads it.
        closed = new Promise((resolve) => res.on('close', () => resolve()));
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        };
        res.on('drain', pump);
        res.write('{"x":"');
        pump();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

    it('stops reading above 1 MiB with a clear error, and closes the connection', async () => {
      const err = await failure(httpRequest({ method: 'GET', url: `${base}/endless` }, { timeoutMs: 10_000 }));
      assert.equal(err.code, 'invalid_response');
      assert.match(err.message, /larger than 1 MiB, so it was not read/);
      await closed;
      assert.ok(sent < 16 * MAX_BODY_BYTES, `the server wrote ${sent} bytes before the connection closed`);
    });

    it('refuses a declared Content-Length above 1 MiB without reading it', async () => {
      const err = await failure(httpRequest({ method: 'GET', url: `${base}/declared` }, { timeoutMs: 10_000 }));
      assert.equal(err.code, 'invalid_response');
      assert.match(err.message, /larger than 1 MiB/);
    });
  });
});
