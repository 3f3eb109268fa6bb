// Round trips: how many HTTP requests each operation costs, against the physical minimum. The real
// TokenService (and, for two windows, two window processes with the real file lock: see
// test/support/windowProcess.ts) against the sandbox on loopback. The extension's own requests are
// counted from its HTTP layer's log hook; the two-window row counts at the sandbox (every request
// it received). A "restart" is a fresh TokenService over the stores the previous one wrote.
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fetch from 'node-fetch';
import type { RequestLogEntry } from '../../../src/core/http';
import { FileLock } from '../../../src/core/lock';
import { type SecretStore, type StateStore, TokenService } from '../../../src/core/service';
import { startSandbox } from '../../sandbox';
import { FileSecrets, FileState } from '../../support/fileStores';

export interface RoundTrip {
  operation: string;
  measured: number;
  minimum: number;
  /** What the minimum consists of. */
  floor: string;
  /** The requests, method and path (for the results file). */
  requests: string[];
}

export async function measureRoundTrips(opts: { log: (s: string) => void; windowProcess: string }): Promise<RoundTrip[]> {
  const sandbox = await startSandbox();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-bench-rt-'));
  const children: ChildProcess[] = [];
  try {
    const state: StateStore = new FileState(path.join(dir, 'state'));
    const secrets: SecretStore = new FileSecrets(path.join(dir, 'secrets'));
    let seen: RequestLogEntry[] = [];
    const window = () => new TokenService({ state, secrets, http: () => ({ timeoutMs: 30_000, log: (e) => seen.push(e) }) });
    const rows: RoundTrip[] = [];
    const count = async (operation: string, minimum: number, floor: string, run: () => Promise<unknown>) => {
      seen = [];
      await run();
      rows.push({ operation, measured: seen.length, minimum, floor, requests: seen.map((e) => `${e.method} ${e.url.replace(sandbox.url, '')}`) });
    };
    const browser = async (url: string) =>
      void fetch(await sandbox.authorize(url))
        .then((r) => r.text())
        .catch(() => undefined);

    const setup = window();
    const env = await setup.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const { worker, web } = sandbox.clients;
    const w = await setup.addApplication(env.id, { name: 'w', clientId: worker.clientId, clientSecret: worker.clientSecret, authMethod: worker.authMethod });
    const a = await setup.addApplication(env.id, {
      name: 'web',
      clientId: web.clientId,
      clientSecret: web.clientSecret,
      authMethod: web.authMethod,
      scopes: 'openid profile',
    });

    opts.log('round trips: sign-in, tokens and refreshes, counted per operation');
    const notOurs = "the browser's authorization request is not the extension's";
    await count('sign-in with code + PKCE, first ever (nothing kept)', 3, `discovery + token + key set (${notOurs})`, () =>
      window().signIn(a.id, { openExternal: browser }),
    );
    await count('sign-in with code + PKCE, discovery and key set kept', 1, "token (plus the browser's authorization request)", () =>
      window().signIn(a.id, { openExternal: browser }),
    );
    await count('first client-credentials token in a fresh window after a restart', 1, 'token', () => window().clientCredentials(w.id));
    const warm = window();
    await warm.clientCredentials(w.id);
    await count('subsequent client-credentials token', 1, 'token', () => warm.clientCredentials(w.id));
    const signedIn = await warm.signIn(a.id, { openExternal: browser });
    await count('refresh (rotating, ID token checked)', 1, 'token', () => warm.refresh(signedIn.id));
    await count('ten concurrent refreshes in one window', 1, 'token', () => Promise.all(Array.from({ length: 10 }, () => warm.refresh(signedIn.id))));

    // Two windows: two processes, five refreshes each, released together once all ten wait.
    const windows = [0, 1].map(() => fork(opts.windowProcess, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    children.push(...windows);
    const replies = (child: ChildProcess, type: string, n: number) =>
      new Promise<void>((resolve, reject) => {
        let left = n;
        const on = (m: { type: string; message?: string }) => {
          if (m.type === 'error') reject(new Error(m.message));
          if (m.type === type && --left === 0) {
            child.off('message', on);
            resolve();
          }
        };
        child.on('message', on);
      });
    await Promise.all(windows.map((c) => (c.send({ type: 'init', dir, timeoutMs: 30_000 }), replies(c, 'ready', 1))));
    const release = await new FileLock(path.join(dir, 'locks')).acquire(`tokenSet-${signedIn.id}`, { waitMs: 1000, holdMs: 60_000 });
    // In one window the five share one in-flight refresh, which waits for the lock once.
    const waiting = windows.map((c) => replies(c, 'waiting', 1));
    const results = windows.map((c) => replies(c, 'result', 5));
    for (const c of windows) for (let i = 0; i < 5; i++) c.send({ type: 'refresh', id: signedIn.id });
    await Promise.all(waiting);
    sandbox.resetStats();
    await release();
    await Promise.all(results);
    const operation = 'ten concurrent refreshes in two windows (five each)';
    rows.push({ operation, measured: sandbox.stats().requests, minimum: 1, floor: 'token', requests: [] });
    return rows;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
