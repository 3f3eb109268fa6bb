/**
 * A tiny loopback HTTP server for the faults the sandbox cannot produce on demand: an HTML error
 * page, truncated JSON, a 200 without access_token, a reset connection, a server that never
 * answers. Each route answers one way, always; requests are recorded for assertions.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'text'; status: number; body: string; contentType: string }
  | { kind: 'reset' }
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FaultServer {
  url: string;
  requests: RecordedRequest[];
  route(path: string, fault: Fault): void;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const routes = new Map<string, Fault>();
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requests.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const fault = routes.get(path);
      if (!fault) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      switch (fault.kind) {
        case 'json':
          res
            .writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers })
            .end(typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body));
          return;
        case 'text':
          res.writeHead(fault.status, { 'Content-Type': fault.contentType }).end(fault.body);
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'hang':
          return; // never answers; closed by close()
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (path, fault) => routes.set(path, fault),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
