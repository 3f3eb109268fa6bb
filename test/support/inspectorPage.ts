/**
 * The Token Inspector page outside VS Code, for browser tests and the benchmark: the real page
 * shell (src/webview/inspector/html.ts, with its CSP and a fresh nonce per load) and the built
 * assets, served on 127.0.0.1. A fixed list of assets: no path from a request reaches the disk.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { inspectorHtml } from '../../src/webview/inspector/html';

export function inspectorAssets(repo: string): Record<string, { file: string; type: string }> {
  return {
    '/dist/webview/inspector.js': { file: path.join(repo, 'dist', 'webview', 'inspector.js'), type: 'text/javascript' },
    '/media/inspector.css': { file: path.join(repo, 'media', 'inspector.css'), type: 'text/css' },
  };
}

/** Serves the inspector shell and its two assets on 127.0.0.1. */
export async function serveInspectorPage(repo: string): Promise<{ base: string; close(): Promise<void> }> {
  const assets = inspectorAssets(repo);
  for (const a of Object.values(assets)) if (!fs.existsSync(a.file)) throw new Error(`${a.file} is missing: run "node esbuild.js" first`);
  const bodies = Object.fromEntries(Object.entries(assets).map(([k, a]) => [k, { body: fs.readFileSync(a.file), type: a.type }]));
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/') {
      const html = inspectorHtml({
        cspSource: base,
        nonce: randomBytes(16).toString('base64'),
        scriptUri: `${base}/dist/webview/inspector.js`,
        styleUri: `${base}/media/inspector.css`,
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end(); // webviews have none
    const asset = bodies[url.pathname];
    if (!asset) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': asset.type }).end(asset.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
