/**
 * A one-shot loopback listener for the authorization-code redirect (RFC 8252 §7.3).
 * Bound to 127.0.0.1 only; accepts one request on the expected path, answers it with a readable
 * page, then closes. `start()` resolves with the actual port (0 lets the OS choose).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExplorerError } from './errors';

export interface LoopbackResult {
  params: URLSearchParams;
  /** Lets the caller choose the page after it has validated the response. */
  respond(outcome: { ok: boolean; message: string }): void;
}

export class LoopbackListener {
  private server?: http.Server;
  private settle?: { resolve: (r: LoopbackResult) => void; reject: (e: unknown) => void };
  private readonly result: Promise<LoopbackResult>;

  constructor(private readonly path = '/callback') {
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // A rejection nobody awaited yet must not crash the host.
    this.result.catch(() => undefined);
  }

  async start(port = 0): Promise<number> {
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new ExplorerError('invalid_input', `Port ${port} on 127.0.0.1 is already in use, so the sign-in redirect cannot be received. Close what uses it, or register a redirect URI without a fixed port.`, { field: 'redirectUri', cause: err })
            : new ExplorerError('network', `Could not listen on 127.0.0.1:${port}: ${err.message}`, { cause: err }),
        ),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
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

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== this.path || !this.settle) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found.');
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
