// The Token Inspector's first render in headless Chromium: the shipped dist/webview/inspector.js in
// the panel's own HTML shell and CSP, `acquireVsCodeApi` stubbed, one `show` message with the model
// the extension builds (modelFromJwt) for a 4 KB and a 16 KB JWT. Each sample is a fresh page.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { modelFromJwt } from '../../../src/webview/inspector/model';
import { launchBrowser } from '../../host/lib/browser';
import { serveInspectorPage } from '../../support/inspectorPage';

export interface RenderSample {
  /** postMessage → the page's handler built the DOM → style and layout forced: ms. */
  layoutMs: number;
  /** postMessage → the next animation frame after that (≈ painted): ms. */
  frameMs: number;
  claimRows: number;
}

export interface InspectorFigures {
  sizes: Array<{ label: string; tokenChars: number; claims: number; samples: RenderSample[] }>;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A plausible RS256 access token of about `target` characters: PingOne-like claims plus groups. */
export function jwtOfSize(target: number): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', kid: 'bench-key-1', typ: 'JWT' };
  const payload: Record<string, unknown> = {
    iss: 'https://auth.pingone.eu/a1b2c3d4-0000-4000-8000-000000000001/as',
    sub: 'a1b2c3d4-0000-4000-8000-0000000000e1',
    aud: ['https://api.pingone.eu', 'https://orders.example.com'],
    client_id: 'sandbox-web',
    scope: 'openid profile email offline_access p1:read:user',
    iat: now,
    nbf: now,
    exp: now + 3600,
    auth_time: now - 60,
    acr: 'Single_Factor',
    amr: ['pwd'],
    sid: randomBytes(16).toString('hex'),
    jti: randomBytes(16).toString('hex'),
    env: 'a1b2c3d4-0000-4000-8000-000000000001',
    org: 'a1b2c3d4-0000-4000-8000-0000000000aa',
    'p1.region': 'EU',
    email: 'demo.user@example.com',
    name: 'Demo User',
    groups: [] as string[],
  };
  for (let i = 0; i < 20; i++) payload[`ext_attribute_${i}`] = { id: i, label: `Attribute ${i}`, flags: ['a', 'b'] };
  const signature = randomBytes(256).toString('base64url');
  const token = () => `${b64(header)}.${b64(payload)}.${signature}`;
  const groups = payload.groups as string[];
  while (token().length < target - 60) groups.push(`cn=group-${groups.length},ou=groups,o=example`);
  payload.pad = '';
  while (token().length < target) payload.pad += 'x';
  return token();
}

async function sample(page: Page, base: string, message: unknown, tableId: string): Promise<RenderSample> {
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
  return page.evaluate(
    ({ message, tableId }) =>
      new Promise<RenderSample>((resolve, reject) => {
        // Registered after the page's own listener, so it runs once the page has rendered.
        window.addEventListener(
          'message',
          () => {
            const table = document.getElementById(tableId) as HTMLTableElement | null;
            void document.body.offsetHeight; // force style and layout
            const layoutMs = performance.now() - t0;
            if (!table) return reject(new Error(`#${tableId} was not rendered`));
            const claimRows = table.tBodies[0]?.rows.length ?? 0;
            requestAnimationFrame(() => setTimeout(() => resolve({ layoutMs, frameMs: performance.now() - t0, claimRows }), 0));
          },
          { once: true },
        );
        const t0 = performance.now();
        window.postMessage(message, '*');
      }),
    { message, tableId },
  );
}

export async function measureInspector(repo: string, opts: { samples: number; log: (s: string) => void }): Promise<InspectorFigures> {
  const server = await serveInspectorPage(repo);
  const browser = await launchBrowser({ viewport: { width: 1200, height: 900 } });
  try {
    await browser.context.addInitScript(() => {
      const w = window as unknown as { __posted: unknown[]; acquireVsCodeApi: () => unknown };
      let state: unknown;
      w.__posted = [];
      w.acquireVsCodeApi = () => ({
        postMessage: (m: unknown) => w.__posted.push(m),
        getState: () => state,
        setState: (s: unknown) => (state = s),
      });
    });
    const sizes = [
      { label: '4 KB JWT', token: jwtOfSize(4096) },
      { label: '16 KB JWT', token: jwtOfSize(16384) },
    ].map((s) => {
      const model = modelFromJwt(s.token);
      return { ...s, model, claims: Object.keys(model.tokens[0].payload ?? {}).length, samples: [] as RenderSample[] };
    });
    opts.log(`inspector first render: ${opts.samples} fresh pages per size (+1 warm-up), sizes ${sizes.map((s) => s.token.length).join(' and ')} chars`);
    const page = browser.page;
    for (let i = 0; i <= opts.samples; i++) {
      for (const s of sizes) {
        const r = await sample(page, server.base, { type: 'show', model: s.model, now: Date.now() }, 'claims-jwt');
        if (i > 0) s.samples.push(r);
      }
    }
    const errors = browser.consoleMessages.filter((m) => m.startsWith('[error]') || m.startsWith('[pageerror]'));
    if (errors.length) throw new Error(`the inspector page reported errors:\n${errors.join('\n')}`);
    return { sizes: sizes.map((s) => ({ label: s.label, tokenChars: s.token.length, claims: s.claims, samples: s.samples })) };
  } finally {
    await browser.close();
    await server.close();
  }
}
