/**
 * A one-shot loopback listener for the authorization-code redirect (RFC 8252 §7.3).
 * Bound to 127.0.0.1 (and, for a `localhost` redirect URI, to ::1 on the same port as well, so no
 * other process can take that half); accepts one request on the expected path whose `Host` is the
 * listener's own and whose `state` matches (compared in constant time): anything else gets a 400
 * and the listener keeps waiting for the real redirect. The page repeats nothing it was sent.
 * `start()` resolves with the actual port (0 lets the OS choose).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExplorerError } from './errors';

/** A browser opens a few connections (favicon, preconnect); nothing legitimate needs more. */
const MAX_CONNECTIONS = 16;

function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison time says nothing about either value.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export interface LoopbackResult {
  params: URLSearchParams;
  /** Lets the caller choose the page after it has validated the response. */
  respond(outcome: { ok: boolean; message: string }): void;
}

export class LoopbackListener {
  private servers: http.Server[] = [];
  private settle?: { resolve: (r: LoopbackResult) => void; reject: (e: unknown) => void };
  private readonly result: Promise<LoopbackResult>;
  private expected?: { state: string; hosts: Set<string> };

  /** `host` is the redirect URI's host: `127.0.0.1` (default) or `localhost`, which binds both loopback families. */
  constructor(
    private readonly path = '/callback',
    private readonly host: '127.0.0.1' | 'localhost' = '127.0.0.1',
  ) {
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // A rejection nobody awaited yet must not crash the host.
    this.result.catch(() => undefined);
  }

  async start(port = 0): Promise<number> {
    const v4 = await this.listen(port, '127.0.0.1');
    if (this.host === 'localhost') {
      // The same port on ::1 too, or no sign-in: another process could otherwise take [::1]:port
      // and receive the redirect from a browser that resolves localhost to ::1 first.
      try {
        await this.listen(v4, '::1');
      } catch (err) {
        const absent = (err as { cause?: NodeJS.ErrnoException }).cause?.code;
        if (absent !== 'EADDRNOTAVAIL' && absent !== 'EAFNOSUPPORT') {
          await this.stop();
          throw err;
        }
        // No IPv6 loopback on this machine: nobody can bind [::1] either.
      }
    }
    return v4;
  }

  private async listen(port: number, address: string): Promise<number> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.maxConnections = MAX_CONNECTIONS;
    this.servers.push(server);
    const shown = address.includes(':') ? `[${address}]` : address;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new ExplorerError(
                'invalid_input',
                `Port ${port} on ${shown} is already in use, so the sign-in redirect cannot be received. Close what uses it, or register a redirect URI without a fixed port.`,
                { field: 'redirectUri', cause: err },
              )
            : new ExplorerError('network', `Could not listen on ${shown}:${port}: ${err.message}`, { cause: err }),
        ),
      );
      server.listen(port, address, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /**
   * What the real redirect carries: the request's `state`, and the `Host` values it may arrive
   * with (the local redirect URI's, and a forwarded one's in a remote window). Until this is
   * called every request is refused.
   */
  expect(state: string, hosts: string[]): void {
    this.expected = { state, hosts: new Set(hosts.map((h) => h.toLowerCase())) };
  }

  /** Resolves with the first request to the callback path. */
  wait(): Promise<LoopbackResult> {
    return this.result;
  }

  /** Rejects a pending wait (time-out, cancellation) and closes the listener. */
  abort(error: unknown): void {
    this.settle?.reject(error);
    void this.stop();
  }

  async stop(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== this.path || !this.settle) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.');
      return;
    }
    const expected = this.expected;
    const state = url.searchParams.get('state');
    const hostOk = !!expected && expected.hosts.has((req.headers.host ?? '').toLowerCase());
    const stateOk = !!expected && state !== null && sameSecret(state, expected.state);
    if (!hostOk || !stateOk) {
      // Not the redirect of this sign-in (another tab, a local process, a web page): keep waiting.
      res
        .writeHead(400, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
          'Cache-Control': 'no-store',
        })
        .end(page(false, 'This is not the sign-in VS Code is waiting for. Start the sign-in from VS Code again if this tab came from it.'));
      return;
    }
    const settle = this.settle;
    this.settle = undefined; // one request accepted
    let answered = false;
    settle.resolve({
      params: url.searchParams,
      respond: ({ ok, message }) => {
        if (answered) return;
        answered = true;
        res
          .writeHead(ok ? 200 : 400, {
            'Content-Type': 'text/html; charset=utf-8',
            'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
            'Cache-Control': 'no-store',
            Connection: 'close',
          })
          .end(page(ok, message), () => void this.stop());
      },
    });
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function page(ok: boolean, message: string): string {
  const title = ok ? 'Signed in' : 'Sign-in failed';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} – PingOne Token Explorer</title>
<style>body{font:16px system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}h1{font-size:1.4em;color:${ok ? '#1a7f37' : '#cf222e'}}</style>
</head><body><h1>${title}</h1><p>${escapeHtml(message)}</p><p>You can close this tab and return to VS Code.</p></body></html>`;
}
