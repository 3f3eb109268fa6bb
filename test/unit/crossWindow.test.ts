/**
 * Two VS Code windows at once, as desktop VS Code has them: two processes (two extension hosts)
 * sharing one secret store, one global state and one global storage folder. Each process here runs
 * the real TokenService, the real file lock and the real auto-refresh scheduler over file-backed
 * stores (test/support/windowProcess.ts), against the sandbox, whose PingOne refresh tokens rotate
 * and whose reuse of a rotated token revokes the chain. The processes are lined up with messages:
 * the test holds the token set's lock until both have read the stored set and queued behind it,
 * then lets them race.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileLock, type ReleaseLock } from '../../src/core/lock';
import { TokenService, type TokenSetInfo } from '../../src/core/service';
import { type Sandbox, startSandbox } from '../sandbox';
import { FileSecrets, FileState } from '../support/fileStores';
import { sandboxBrowser } from '../support/serviceSuite';

const TIMEOUT_MS = 10_000;

interface Reply {
  type: string;
  info?: TokenSetInfo;
  code?: string;
  message?: string;
  key?: string;
}

/** One window process and the replies it sent, awaited by type. */
class Window {
  private readonly child: ChildProcess;
  private readonly inbox: Reply[] = [];
  private readonly waiters: { type: string; resolve: (r: Reply) => void }[] = [];
  readonly exited: Promise<void>;

  constructor(dir: string) {
    this.child = fork(path.join(__dirname, '../support/windowProcess.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.on('message', (m: Reply) => {
      const i = this.waiters.findIndex((w) => w.type === m.type || (w.type === 'outcome' && (m.type === 'result' || m.type === 'error')));
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
      else this.inbox.push(m);
    });
    this.send({ type: 'init', dir, timeoutMs: TIMEOUT_MS });
  }

  send(m: Record<string, unknown>): void {
    this.child.send(m);
  }

  /** The next reply of this type ('outcome' = a result or an error). */
  next(type: string): Promise<Reply> {
    const i = this.inbox.findIndex((m) => m.type === type || (type === 'outcome' && (m.type === 'result' || m.type === 'error')));
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    return new Promise((resolve) => this.waiters.push({ type, resolve }));
  }

  kill(): Promise<void> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

describe('two windows refreshing one token set', function () {
  this.timeout(30_000);
  let sandbox: Sandbox;
  let dir: string;
  let service: TokenService;
  let windows: Window[];

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-windows-'));
    service = new TokenService({
      state: new FileState(path.join(dir, 'state')),
      secrets: new FileSecrets(path.join(dir, 'secrets')),
      http: () => ({ timeoutMs: TIMEOUT_MS }),
    });
    windows = [];
  });
  afterEach(async () => {
    await Promise.all(windows.map((w) => w.kill()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(): Promise<Window> {
    const w = new Window(dir);
    windows.push(w);
    await w.next('ready');
    return w;
  }

  /** A PingOne sign-in stored in the shared stores (rotating refresh token). */
  async function signedIn(): Promise<TokenSetInfo> {
    const env = await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const client = sandbox.clients.web;
    const app = await service.addApplication(env.id, {
      name: client.clientId,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authMethod: client.authMethod,
      scopes: 'openid profile email',
    });
    const info = await service.signIn(app.id, {
      openExternal: sandboxBrowser(sandbox),
    });
    sandbox.resetStats();
    return info;
  }

  /** Holds the set's lock as a third window would, until `release()`. */
  function holdLock(id: string): Promise<ReleaseLock> {
    return new FileLock(path.join(dir, 'locks')).acquire(`tokenSet-${id}`, { waitMs: 1000, holdMs: 60_000 });
  }

  it('makes exactly one refresh request; both windows end with the same, still valid tokens', async () => {
    const info = await signedIn();
    const before = await service.getTokenSet(info.id);
    const [a, b] = await Promise.all([open(), open()]);
    const release = await holdLock(info.id);
    a.send({ type: 'refresh', id: info.id });
    b.send({ type: 'refresh', id: info.id });
    // Both have read the stored set (the old refresh token) and wait for the lock.
    await Promise.all([a.next('waiting'), b.next('waiting')]);
    await release();
    const [ra, rb] = await Promise.all([a.next('outcome'), b.next('outcome')]);
    assert.equal(ra.type, 'result', ra.message);
    assert.equal(rb.type, 'result', rb.message);
    assert.equal(sandbox.stats().byGrant.refresh_token, 1, 'one refresh request, no replay');
    assert.equal(ra.info!.issuedAt, rb.info!.issuedAt);
    assert.equal(ra.info!.status, 'valid');
    const after = await service.getTokenSet(info.id);
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.equal(after.mark, undefined);
    assert.equal(after.issuedAt, ra.info!.issuedAt);
    // The chain was not revoked: the stored refresh token still works.
    assert.equal((await service.refresh(info.id)).status, 'valid');
    assert.equal(sandbox.stats().byGrant.refresh_token, 2);
  });

  it('with auto-refresh on in both windows, refreshes once per expiry', async () => {
    const info = await signedIn();
    await service.setAutoRefresh(info.id, true);
    const [a, b] = await Promise.all([open(), open()]);
    const release = await holdLock(info.id);
    // Both clocks are moved to a minute before expiry: the set is due in both windows.
    const clockShiftMs = info.expiresAt! - Date.now() - 50_000;
    a.send({ type: 'autoRefresh', leadMs: 60_000, clockShiftMs });
    b.send({ type: 'autoRefresh', leadMs: 60_000, clockShiftMs });
    await Promise.all([a.next('waiting'), b.next('waiting')]);
    await release();
    const [ra, rb] = await Promise.all([a.next('outcome'), b.next('outcome')]);
    assert.equal(ra.type, 'result', ra.message);
    assert.equal(rb.type, 'result', rb.message);
    assert.equal(sandbox.stats().byGrant.refresh_token, 1);
    assert.equal(ra.info!.issuedAt, rb.info!.issuedAt);
    assert.ok(ra.info!.expiresAt! > info.expiresAt!);
    assert.equal((await service.getTokenSet(info.id)).mark, undefined);
  });

  it('auto-refresh in a window whose view is older than the stored set makes no request', async () => {
    const info = await signedIn();
    await service.setAutoRefresh(info.id, true);
    const [a, b] = await Promise.all([open(), open()]);
    // b reads the token list (not due yet) and keeps that view.
    b.send({ type: 'autoRefresh', leadMs: 60_000, clockShiftMs: 0 });
    // Time passes: a minute before expiry, a refreshes first.
    const clockShiftMs = info.expiresAt! - Date.now() - 50_000;
    a.send({ type: 'autoRefresh', leadMs: 60_000, clockShiftMs });
    const ra = await a.next('outcome');
    assert.equal(ra.type, 'result', ra.message);
    // Then b: by its old view the set is due, but a already refreshed it.
    b.send({ type: 'autoRefresh', leadMs: 60_000, clockShiftMs });
    const rb = await b.next('outcome');
    assert.equal(rb.type, 'result', rb.message);
    assert.equal(rb.info!.issuedAt, ra.info!.issuedAt);
    assert.equal(sandbox.stats().byGrant.refresh_token, 1);
  });

  it('a crashed window holding the lock does not block the other', async () => {
    const info = await signedIn();
    const [crashed, b] = await Promise.all([open(), open()]);
    crashed.send({ type: 'holdLock', key: `tokenSet-${info.id}`, holdMs: 60_000 });
    await crashed.next('holding');
    await crashed.kill();
    const started = Date.now();
    b.send({ type: 'refresh', id: info.id });
    const r = await b.next('outcome');
    assert.equal(r.type, 'result', r.message);
    assert.ok(Date.now() - started < TIMEOUT_MS, 'taken over at once, well before the dead lock expired');
    assert.equal(sandbox.stats().byGrant.refresh_token, 1);
  });

  it('a lock that cannot be had within the request time-out fails with a clear timeout, and no request', async () => {
    const info = await signedIn();
    const fast = new TokenService({
      state: new FileState(path.join(dir, 'state')),
      secrets: new FileSecrets(path.join(dir, 'secrets')),
      http: () => ({ timeoutMs: 300 }),
      lock: new FileLock(path.join(dir, 'locks')),
    });
    const release = await holdLock(info.id);
    try {
      const err = await fast.refresh(info.id).then(
        () => assert.fail('expected a time-out'),
        (e: unknown) => e as { code: string; message: string },
      );
      assert.equal(err.code, 'timeout');
      assert.match(err.message, /Another VS Code window is refreshing or revoking these tokens/);
      assert.equal(sandbox.stats().tokenRequests, 0);
      assert.equal((await service.getTokenSet(info.id)).mark, undefined);
    } finally {
      await release();
    }
  });
});
