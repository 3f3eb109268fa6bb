/**
 * No write from a stale copy: two token services ("windows") over one pair of stores, against the
 * sandbox. Window b is paused between reading the token set and sending its request (its store
 * holds the read of the client secret until the test lets it go) while window a moves the set on;
 * whatever b then learns from the server, it must not store its older copy over a's newer one.
 * Also: fields written by a newer version are kept, and expiry comes from `expires_in` at receipt.
 */
import assert from 'node:assert/strict';
import { KEYS, type SecretStore, TokenService, type TokenSetInfo } from '../../src/core/service';
import { type Sandbox, type SandboxClient, startSandbox } from '../sandbox';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import { sandboxBrowser } from '../support/serviceSuite';

/** The shared secret store as one window sees it: the next read of a client secret waits for `open()`. */
class GatedSecrets implements SecretStore {
  private gate?: { opened: Promise<void>; open: () => void; reached: () => void };
  constructor(private readonly inner: MemorySecrets) {}

  /** Resolves when the window reached the gate; call the returned function to let it through. */
  arm(): { reached: Promise<void>; open: () => void } {
    let open!: () => void;
    let reached!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    const reachedP = new Promise<void>((r) => (reached = r));
    this.gate = { opened, open, reached };
    return { reached: reachedP, open };
  }

  async get(key: string): Promise<string | undefined> {
    const gate = this.gate;
    if (gate && key.startsWith('pte.v1.clientSecret/')) {
      this.gate = undefined;
      gate.reached();
      await gate.opened;
    }
    return this.inner.get(key);
  }
  store(key: string, value: string) {
    return this.inner.store(key, value);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
}

describe('no write from a stale copy', () => {
  let sandbox: Sandbox;
  let state: MemoryState;
  let secrets: MemorySecrets;
  let a: TokenService;
  let b: TokenService;
  let bSecrets: GatedSecrets;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  beforeEach(() => {
    state = new MemoryState();
    secrets = new MemorySecrets();
    bSecrets = new GatedSecrets(secrets);
    a = new TokenService({ state, secrets, http: () => ({ timeoutMs: 5000 }) });
    b = new TokenService({ state, secrets: bSecrets, http: () => ({ timeoutMs: 5000 }) });
  });

  async function signedIn(client: SandboxClient, pf = false): Promise<TokenSetInfo> {
    const env = pf
      ? await a.addEnvironment({ name: 'PF', kind: 'pingfederate', issuer: sandbox.pingfederate.issuer })
      : await a.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const app = await a.addApplication(env.id, {
      name: client.clientId,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authMethod: client.authMethod,
      scopes: 'openid profile',
    });
    const info = await a.signIn(app.id, {
      openExternal: sandboxBrowser(sandbox),
    });
    sandbox.resetStats();
    return info;
  }

  it('a refresh refused because another window rotated the token meanwhile does not mark the newer tokens "sign-in required"', async () => {
    const info = await signedIn(sandbox.clients.web);
    const gate = bSecrets.arm();
    const late = b.refresh(info.id);
    await gate.reached; // b has read the set with the old refresh token
    await a.refresh(info.id);
    const newer = await a.getTokenSet(info.id);
    gate.open();
    const result = await late; // the server refuses b's old refresh token
    assert.equal(sandbox.stats().byGrant.refresh_token, 2);
    assert.equal(result.issuedAt, newer.issuedAt);
    const stored = await a.getTokenSet(info.id);
    assert.deepEqual(stored, newer);
    assert.equal(a.getTokenSetInfo(info.id).status, 'valid');
  });

  it('a refresh result computed from an older copy does not replace the newer one', async () => {
    // PingFederate does not roll refresh tokens, so b's late refresh succeeds too.
    const info = await signedIn(sandbox.clients.pfWeb, true);
    const gate = bSecrets.arm();
    const late = b.refresh(info.id);
    await gate.reached;
    await a.refresh(info.id);
    const newer = await a.getTokenSet(info.id);
    gate.open();
    const result = await late;
    assert.equal(sandbox.stats().byGrant.refresh_token, 2);
    assert.equal(result.issuedAt, newer.issuedAt);
    assert.deepEqual(await a.getTokenSet(info.id), newer);
  });

  it('revocation revokes tokens that another window stored meanwhile, and marks the newest copy', async () => {
    const info = await signedIn(sandbox.clients.web);
    const gate = bSecrets.arm();
    const revoking = b.revoke(info.id);
    await gate.reached; // b has read the old tokens
    await a.refresh(info.id);
    const newer = await a.getTokenSet(info.id);
    gate.open();
    const revoked = await revoking;
    assert.equal(revoked.status, 'revoked');
    const stored = await a.getTokenSet(info.id);
    assert.equal(stored.refreshToken, newer.refreshToken);
    assert.equal(stored.accessToken, newer.accessToken);
    assert.equal(stored.mark, 'revoked');
    assert.equal((await a.introspect(info.id, { token: 'refresh_token' })).active, false);
    assert.equal((await a.introspect(info.id)).active, false);
  });

  it('keeps the fields a newer version of the extension wrote, in the secret and in the index', async () => {
    const info = await signedIn(sandbox.clients.web);
    const raw = JSON.parse((await secrets.get(KEYS.tokenSet(info.id)))!);
    await secrets.store(KEYS.tokenSet(info.id), JSON.stringify({ ...raw, fromNewerVersion: { pinned: true } }));
    const index = state.get<Record<string, unknown>[]>(KEYS.tokenIndex)!;
    await state.update(
      KEYS.tokenIndex,
      index.map((t) => (t.id === info.id ? { ...t, label: 'kept' } : t)),
    );
    await a.refresh(info.id);
    const after = JSON.parse((await secrets.get(KEYS.tokenSet(info.id)))!);
    assert.deepEqual(after.fromNewerVersion, { pinned: true });
    assert.notEqual(after.refreshToken, raw.refreshToken);
    assert.equal(state.get<Record<string, unknown>[]>(KEYS.tokenIndex)!.find((t) => t.id === info.id)!.label, 'kept');
  });

  it("computes expiry from expires_in at receipt on the local clock, whatever the server's clock says", async () => {
    // The local clock is ten minutes behind the server's.
    const skewMs = -10 * 60_000;
    const localNow = () => Date.now() + skewMs;
    const skewed = new TokenService({ state, secrets, http: () => ({ timeoutMs: 5000 }), now: localNow });
    const env = await skewed.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const client = sandbox.clients.worker;
    const app = await skewed.addApplication(env.id, { name: 'w', clientId: client.clientId, clientSecret: client.clientSecret, authMethod: client.authMethod });
    const before = localNow();
    const info = await skewed.clientCredentials(app.id);
    const after = localNow();
    assert.ok(info.expiresAt! >= before + 3600_000 && info.expiresAt! <= after + 3600_000);
    assert.equal(info.status, 'valid');
  });
});
