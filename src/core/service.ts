/**
 * The token service: environments, applications and token sets, and every grant. Pure of `vscode`:
 * storage arrives as two small interfaces (a key-value state store for metadata, a secret store
 * for secrets), so the same code runs inside VS Code (globalState + SecretStorage) and in tests.
 *
 * This file is the orchestrator activation loads: reading the stores (with corrupt entries
 * isolated), the state the tree draws, change events, token-set writes, the single flight and the
 * cross-window lock. The network calls and grants (core/tokenCalls) and the writes of environments
 * and applications (core/catalog) load on first use; the methods here forward to them.
 *
 * Storage layout (keys are namespaced and versioned):
 *   state   pte.v1.environments            Environment[]
 *   state   pte.v1.applications            Application[]
 *   state   pte.v1.tokenIndex              TokenSetMeta[]   (no secrets: what the tree shows)
 *   secret  pte.v1.clientSecret/<appId>    JSON {v:2, secret, issuer, tokenOrigin} (core/binding; v1 was the bare secret)
 *   secret  pte.v1.clientKey/<appId>       private_key_jwt: the key ring (private JWKs)
 *   secret  pte.v1.tokenSet/<tokenSetId>   JSON TokenSet (tokens, metadata and the issuer they belong to, written in one go)
 *   state   pte.v1.discoveryCache          discovery documents by issuer, with fetch time (public)
 *   state   pte.v1.jwksCache               key sets by URL, with fetch time (public)
 */
import type { Application, ApplicationInput } from './application';
import type { Catalog } from './catalog';
import type { Endpoints } from './endpoints';
import type { Environment, EnvironmentInput } from './environment';
import { ExplorerError, invalidInput } from './errors';
import type { ForeignOrigin } from './origins';
import { rememberSecrets } from './redact';
import type { HttpSettings } from './http';
import type { CrossWindowLock } from './lock';
import { PersistedCache } from './metadataCache';
import { SingleFlight, Sequencer } from './sequencer';
import { unsupportedAuthMethod } from './serverMetadata';
import { subjectOf } from './subject';
import type { TokenCalls } from './tokenCalls';
import { type TokenSet, type TokenStatus, isDpopBound, scopeList, tokenStatus } from './tokenSet';
import type { JwksCache } from './verify';
import type { PollClock } from './grants/polling';
import type { UserCodeInfo } from './grants/deviceCode';

/**
 * The grant machinery, the network calls (core/tokenCalls) and the writes of environments and
 * applications (core/catalog) are required on first use (a lazy require the extension build points
 * at dist/features.js): listing and drawing stored tokens never loads them.
 */
let grantsModule: typeof import('./grants') | undefined;
const grants = () => (grantsModule ??= require('./grants') as typeof import('./grants'));

export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export interface ServiceDeps {
  state: StateStore;
  secrets: SecretStore;
  /** Current HTTP settings (timeout, logger); read on every request so setting changes apply. */
  http: () => HttpSettings;
  now?: () => number;
  newId?: () => string;
  /** Taken around every refresh and revocation so that windows (extension hosts) take turns. */
  lock?: CrossWindowLock;
  /** Waits between polls of the device and CIBA grants (tests inject one; default: real timers). */
  sleep?: PollClock['sleep'];
  /**
   * Asked once per issuer and origin before a secret or token goes to an endpoint that a generic
   * OIDC provider's discovery puts on another origin than the issuer's (core/origins). Without it
   * such endpoints are used as discovered.
   */
  confirmOrigins?: (env: Environment, foreign: ForeignOrigin[]) => PromiseLike<boolean>;
}

/** What the tree and the public API see of a token set: no secrets. */
export type TokenSetInfo = Pick<
  TokenSet,
  'id' | 'applicationId' | 'environmentId' | 'grant' | 'scope' | 'issuedAt' | 'expiresAt' | 'subjectTokenSetId' | 'issuedTokenType'
> & {
  hasRefreshToken: boolean;
  hasIdToken: boolean;
  /** The access token is DPoP-bound: every use needs a proof (see dpopProof). */
  dpop?: boolean;
  status: TokenStatus;
  /** Opted in to auto-refresh (effective only while the setting is on). */
  autoRefresh: boolean;
  /** Who signed in (see core/subject.ts); absent for client-credentials sets. */
  subject?: string;
};

/** An entry of the token index (what the tree draws); fields a newer version wrote stay. */
export type TokenSetMeta = Omit<TokenSetInfo, 'status' | 'autoRefresh'> & { mark?: TokenSet['mark']; autoRefresh?: boolean };

export const KEYS = {
  environments: 'pte.v1.environments',
  applications: 'pte.v1.applications',
  tokenIndex: 'pte.v1.tokenIndex',
  /** Machine-local (never synced): `${issuer} ${origin}` pairs the user accepted. */
  acceptedOrigins: 'pte.v1.acceptedOrigins',
  clientSecret: (appId: string) => `pte.v1.clientSecret/${appId}`,
  /** private_key_jwt: the application's key ring (private JWKs), JSON. */
  clientKey: (appId: string) => `pte.v1.clientKey/${appId}`,
  tokenSet: (id: string) => `pte.v1.tokenSet/${id}`,
  discoveryCache: 'pte.v1.discoveryCache',
  jwksCache: 'pte.v1.jwksCache',
} as const;

/** Keys that may roam with Settings Sync: metadata without secrets or machine-local tokens. */
export const SYNCED_KEYS = [KEYS.environments, KEYS.applications];

export interface BackchannelOptions {
  loginHint?: string;
  /** A stored token set whose ID token names the user (`id_token_hint`). */
  idTokenHintTokenSetId?: string;
  loginHintToken?: string;
  bindingMessage?: string;
  scope?: string;
  /** Told once the server accepted the request and the user's device was asked. */
  onRequest?: (info: { expiresAt: number; interval: number }) => void;
}

export interface TokenExchangeOptions {
  subjectTokenSetId: string;
  /** Which token of the subject set to exchange (default: its access token). */
  subjectToken?: 'access_token' | 'id_token';
  actorTokenSetId?: string;
  audience?: string;
  resource?: string;
  scope?: string;
  requestedTokenType?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface RefreshOptions extends CallOptions {
  scope?: string;
  /**
   * Auto-refresh: refresh only while the stored set expires within this many ms; a set another
   * window refreshed meanwhile is returned as it is, without a request.
   */
  onlyIfExpiringWithinMs?: number;
}

export interface SignInOptions extends CallOptions {
  scope?: string;
  /** Opens the authorization URL; the default is the caller's browser integration. */
  openExternal: (url: string) => PromiseLike<unknown>;
  /** How long to wait for the redirect (default 5 minutes). */
  timeoutMs?: number;
  /** Told the local redirect URI once the listener is up. */
  onListening?: (redirectUri: string) => void;
  /**
   * Maps the local redirect URI to the one the browser can reach (remote windows forward the
   * port). The result is what the server sees as `redirect_uri`; the listener stays local.
   */
  mapRedirectUri?: (localRedirectUri: string) => PromiseLike<string>;
}

/** Discovery documents are kept per issuer (and kind: fallbacks differ), shared by environments. */
export const discoveryId = (env: Environment) => `${env.kind} ${env.issuer}`;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The part of the service's state that its lazily loaded halves (core/tokenCalls, core/catalog)
 * work with. Only they get it: everyone else uses the service's public methods.
 */
export interface ServiceCore {
  readonly deps: ServiceDeps;
  readonly now: () => number;
  readonly newId: () => string;
  /** Endpoints per environment id, in flight or resolved, for this window. */
  readonly endpointCache: Map<string, Promise<Endpoints>>;
  /** Endpoints resolved in this window (the tree's auth-method warnings read them). */
  readonly resolvedEndpoints: Map<string, Endpoints>;
  /** Discovery documents kept across windows and restarts. */
  readonly discovered: PersistedCache<Endpoints>;
  /** Endpoints this window took from the kept documents rather than discovering them itself. */
  readonly keptEndpoints: WeakSet<Endpoints>;
  updateList<T extends { id: string }>(key: string, mutate: (list: T[]) => T[]): Promise<void>;
  readIndex(): TokenSetMeta[];
  saveTokenSet(set: TokenSet, indexOnly?: boolean): Promise<TokenSetInfo>;
  changed(): void;
  report(problem: string): void;
}

export class TokenService {
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly writes = new Sequencer();
  private readonly refreshes = new SingleFlight();
  private readonly endpointCache = new Map<string, Promise<Endpoints>>();
  /** Discovery documents and key sets kept across windows and restarts (public metadata). */
  private readonly discovered: PersistedCache<Endpoints>;
  private readonly keySetStore: PersistedCache<import('jose').JSONWebKeySet>;
  /** Endpoints this window took from the kept documents rather than discovering them itself. */
  private readonly keptEndpoints = new WeakSet<Endpoints>();
  private keySets: JwksCache | undefined;
  private readonly resolvedEndpoints = new Map<string, Endpoints>();
  private readonly core: ServiceCore;
  private callsImpl?: TokenCalls;
  private catalogImpl?: Catalog;
  private readonly listeners = new Set<() => void>();
  /** Entries that could not be read, reported once per load; never hide the others. */
  readonly problems: string[] = [];

  constructor(private readonly deps: ServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
    this.discovered = new PersistedCache(deps.state, KEYS.discoveryCache, this.now);
    this.keySetStore = new PersistedCache(deps.state, KEYS.jwksCache, this.now);
    this.core = {
      deps,
      now: this.now,
      newId: this.newId,
      endpointCache: this.endpointCache,
      resolvedEndpoints: this.resolvedEndpoints,
      discovered: this.discovered,
      keptEndpoints: this.keptEndpoints,
      updateList: (key, mutate) => this.updateList(key, mutate),
      readIndex: () => this.readIndex(),
      saveTokenSet: (set, indexOnly) => this.saveTokenSet(set, indexOnly),
      changed: () => this.changed(),
      report: (problem) => this.report(problem),
    };
  }

  /** The network half, loaded with the grant code on the first call that needs it. */
  private get calls(): TokenCalls {
    return (this.callsImpl ??= new (grants().TokenCalls)(this, this.core));
  }

  /** Writes of environments and applications, loaded on the first one. */
  private get catalog(): Catalog {
    return (this.catalogImpl ??= new (grants().Catalog)(this, this.core));
  }

  /** Key sets fetched for signature checks, cached per JWKS URL (and kept in the state store). */
  get jwks(): JwksCache {
    return (this.keySets ??= new (grants().JwksCache)(this.deps.http, this.keySetStore, this.now));
  }

  // ---- change notification -------------------------------------------------------------------

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Stored tokens changed, possibly in another window: re-read them and redraw. */
  storedDataChanged(): void {
    this.indexCache = undefined;
    this.changed();
  }

  /** Also forget cached endpoints and key sets (the user's Refresh). */
  reload(): void {
    this.endpointCache.clear();
    this.resolvedEndpoints.clear();
    this.keySets?.clear();
    void this.discovered.clear().then(undefined, () => undefined);
    void this.keySetStore.clear().then(undefined, () => undefined);
    this.storedDataChanged();
  }

  // ---- reading stored lists, isolating corrupt entries -----------------------------------------

  private readList<T>(key: string, valid: (v: Record<string, unknown>) => boolean, what: string): T[] {
    const raw = this.deps.state.get<unknown>(key);
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      this.report(`The stored ${what} list is unreadable and was ignored.`);
      return [];
    }
    const out: T[] = [];
    raw.forEach((entry, i) => {
      if (isObject(entry) && valid(entry)) out.push(entry as T);
      else this.report(`Stored ${what} #${i + 1} is unreadable and was skipped.`);
    });
    return out;
  }

  private report(problem: string): void {
    if (!this.problems.includes(problem)) this.problems.push(problem);
  }

  listEnvironments(): Environment[] {
    return this.withWorkspace(
      this.workspaceEntries.environments,
      this.readList<Environment>(
        KEYS.environments,
        (e) => typeof e.id === 'string' && typeof e.name === 'string' && typeof e.issuer === 'string' && typeof e.kind === 'string',
        'environment',
      ),
    );
  }

  getEnvironment(id: string): Environment {
    const env = this.listEnvironments().find((e) => e.id === id);
    if (!env) throw invalidInput('environmentId', `No environment with id "${id}".`);
    return env;
  }

  listApplications(environmentId?: string): Application[] {
    const apps = this.withWorkspace(
      this.workspaceEntries.applications,
      this.readList<Application>(
        KEYS.applications,
        (a) => typeof a.id === 'string' && typeof a.environmentId === 'string' && typeof a.clientId === 'string' && typeof a.authMethod === 'string',
        'application',
      ),
    );
    return environmentId === undefined ? apps : apps.filter((a) => a.environmentId === environmentId);
  }

  getApplication(id: string): Application {
    const app = this.listApplications().find((a) => a.id === id);
    if (!app) throw invalidInput('applicationId', `No application with id "${id}".`);
    return app;
  }

  /**
   * The token index as last read, parsed and checked. The tree asks for it once per application
   * per redraw, and reading it means a deep copy out of globalState: with 1,000 token sets that was
   * most of a redraw. Cleared on every write of the index and on storedDataChanged().
   */
  private indexCache?: TokenSetMeta[];

  private readIndex(): TokenSetMeta[] {
    return (this.indexCache ??= this.readList<TokenSetMeta>(
      KEYS.tokenIndex,
      (t) => typeof t.id === 'string' && typeof t.applicationId === 'string' && typeof t.issuedAt === 'number',
      'token set',
    ));
  }

  private info(meta: TokenSetMeta): TokenSetInfo {
    const { mark, autoRefresh, ...rest } = meta;
    return { ...rest, autoRefresh: autoRefresh === true, status: tokenStatus({ mark, expiresAt: meta.expiresAt }, this.now()) };
  }

  listTokenSets(applicationId?: string): TokenSetInfo[] {
    const index = this.readIndex();
    return (applicationId === undefined ? index : index.filter((t) => t.applicationId === applicationId)).map((m) => this.info(m));
  }

  /** How many token sets each application has, straight from the index (no per-set objects). */
  countTokenSets(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of this.readIndex()) counts.set(t.applicationId, (counts.get(t.applicationId) ?? 0) + 1);
    return counts;
  }

  getTokenSetInfo(id: string): TokenSetInfo {
    const meta = this.readIndex().find((t) => t.id === id);
    if (!meta) throw invalidInput('tokenSetId', `No token set with id "${id}".`);
    return this.info(meta);
  }

  /** The full token set, tokens included, read from the secret store (authoritative). */
  async getTokenSet(id: string): Promise<TokenSet> {
    const raw = await this.deps.secrets.get(KEYS.tokenSet(id));
    if (raw === undefined) throw invalidInput('tokenSetId', `No stored tokens for token set "${id}".`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (!isObject(parsed) || typeof parsed.accessToken !== 'string' || parsed.id !== id) {
      throw new ExplorerError('invalid_input', `The stored tokens of token set "${id}" are unreadable. Delete the token set and get new tokens.`, {
        field: 'tokenSetId',
      });
    }
    const set = parsed as unknown as TokenSet;
    rememberSecrets(set.accessToken, set.refreshToken, set.idToken);
    return set;
  }

  // ---- writes (serialised per list) ------------------------------------------------------------

  private updateList<T extends { id: string }>(key: string, mutate: (list: T[]) => T[]): Promise<void> {
    return this.writes.queue(key, async () => {
      const current = this.deps.state.get<unknown>(key);
      const list = Array.isArray(current) ? (current as T[]) : [];
      if (key === KEYS.tokenIndex) this.indexCache = undefined;
      try {
        await this.deps.state.update(key, mutate(list));
      } finally {
        if (key === KEYS.tokenIndex) this.indexCache = undefined;
      }
    });
  }

  // ---- environments and applications (core/catalog) --------------------------------------------

  addEnvironment(input: EnvironmentInput): Promise<Environment> {
    return this.catalog.addEnvironment(input);
  }

  /**
   * Updates an environment. A new issuer drops its applications' client secrets and token sets:
   * they were issued for the old one and are never sent to another server (callers ask first).
   */
  updateEnvironment(id: string, input: EnvironmentInput): Promise<Environment> {
    return this.catalog.updateEnvironment(id, input);
  }

  removeEnvironment(id: string): Promise<void> {
    return this.catalog.removeEnvironment(id);
  }

  addApplication(environmentId: string, input: ApplicationInput): Promise<Application> {
    return this.catalog.addApplication(environmentId, input);
  }

  /** Updates an application; a secret or key left out keeps the stored one; a new key is added to the ring. */
  updateApplication(id: string, input: ApplicationInput): Promise<Application> {
    return this.catalog.updateApplication(id, input);
  }

  removeApplication(id: string): Promise<void> {
    return this.catalog.removeApplication(id);
  }

  /** The public JWKS to register for the application in the tenant (every key of its ring). */
  publicJwks(applicationId: string): Promise<{ keys: Array<Record<string, unknown>> }> {
    return this.catalog.publicJwks(applicationId);
  }

  /** Generates a new signing key; the old public keys stay in the JWKS until removed. Returns the new public JWK. */
  rotateKey(applicationId: string, opts: { signingAlg?: string } = {}): Promise<Record<string, unknown>> {
    return this.catalog.rotateKey(applicationId, opts);
  }

  /** Removes a rotated-out key from the ring (and so from the public JWKS). */
  removeKey(applicationId: string, kid: string): Promise<void> {
    return this.catalog.removeKey(applicationId, kid);
  }

  /** Stores a secret for an application (workspace entries: each person enters theirs once). */
  setClientSecret(applicationId: string, secret: string): Promise<void> {
    return this.catalog.setClientSecret(applicationId, secret);
  }

  /**
   * Adds an imported application, or updates the one `existingId` names, without requiring a
   * secret: a tenant import may not be allowed to read it, and the user pastes it later (Edit
   * Application). A secret given is stored when it differs; one left out keeps what is stored.
   */
  saveImportedApplication(environmentId: string, input: ApplicationInput, existingId?: string): Promise<Application> {
    return this.catalog.saveImportedApplication(environmentId, input, existingId);
  }

  /** Whether the stored secret equals `secret` (for sync), without handing the stored one out. */
  clientSecretMatches(applicationId: string, secret: string): Promise<boolean> {
    return this.catalog.clientSecretMatches(applicationId, secret);
  }

  // ---- the workspace file (.vscode/pingone.json): entries shown beside the user's own -----------

  private workspaceEntries: { environments: Environment[]; applications: Application[] } = { environments: [], applications: [] };

  /**
   * Replaces the entries that come from the workspace file. They are listed with the user's own;
   * an entry with the id of a stored one (exported, or the same file in another clone) takes its
   * place, so its stored secret and tokens stay attached. Nothing is written to the stores.
   */
  setWorkspaceEntries(entries: { environments: Environment[]; applications: Application[] }): void {
    const next = { environments: [...entries.environments], applications: [...entries.applications] };
    // The file is read again on every change event and when its folders change: the same entries
    // change nothing, so nothing that listens redraws or re-syncs.
    if (JSON.stringify(next) === JSON.stringify(this.workspaceEntries)) return;
    this.workspaceEntries = next;
    this.changed();
  }

  private withWorkspace<T extends { id: string }>(workspace: T[], stored: T[]): T[] {
    if (!workspace.length) return stored;
    const ids = new Set(workspace.map((w) => w.id));
    return [...stored.filter((s) => !ids.has(s.id)), ...workspace];
  }

  /** The current HTTP settings (timeout, proxy, log), for the management API client. */
  httpSettings(): HttpSettings {
    return this.deps.http();
  }

  async hasClientSecret(applicationId: string): Promise<boolean> {
    return (await this.deps.secrets.get(KEYS.clientSecret(applicationId))) !== undefined;
  }

  /** Opts a token set in or out of auto-refresh. Only sets that can be refreshed qualify. */
  async setAutoRefresh(id: string, enabled: boolean): Promise<TokenSetInfo> {
    const info = this.getTokenSetInfo(id);
    if (enabled && !TokenService.canRefresh(info)) {
      throw invalidInput('tokenSetId', 'This token set has no refresh token, so it cannot auto-refresh: sign in again with a refresh-token grant.');
    }
    await this.updateList<TokenSetMeta>(KEYS.tokenIndex, (l) => l.map((t) => (t.id === id ? { ...t, autoRefresh: enabled } : t)));
    this.changed();
    return this.getTokenSetInfo(id);
  }

  async deleteTokenSet(id: string): Promise<void> {
    this.getTokenSetInfo(id);
    await this.deps.secrets.delete(KEYS.tokenSet(id));
    await this.updateList<TokenSetMeta>(KEYS.tokenIndex, (l) => l.filter((t) => t.id !== id));
    this.changed();
  }

  /**
   * Stores a token set: secrets first (one write), then the index entry that the tree reads.
   * `indexOnly` brings the index in line with a set another window already stored.
   */
  private async saveTokenSet(set: TokenSet, indexOnly = false): Promise<TokenSetInfo> {
    if (!indexOnly) await this.deps.secrets.store(KEYS.tokenSet(set.id), JSON.stringify(set));
    const meta: TokenSetMeta = {
      id: set.id,
      applicationId: set.applicationId,
      environmentId: set.environmentId,
      grant: set.grant,
      scope: set.scope,
      issuedAt: set.issuedAt,
      expiresAt: set.expiresAt,
      hasRefreshToken: !!set.refreshToken,
      hasIdToken: !!set.idToken,
      subject: subjectOf(set),
      mark: set.mark,
      ...(isDpopBound(set) ? { dpop: true } : {}),
      ...(set.subjectTokenSetId ? { subjectTokenSetId: set.subjectTokenSetId } : {}),
      ...(set.issuedTokenType ? { issuedTokenType: set.issuedTokenType } : {}),
    };
    await this.updateList<TokenSetMeta>(KEYS.tokenIndex, (l) =>
      // Fields this version does not know (written by a newer one) stay as they are.
      l.some((t) => t.id === set.id) ? l.map((t) => (t.id === set.id ? { ...t, ...meta } : t)) : [...l, meta],
    );
    this.changed();
    return this.getTokenSetInfo(set.id);
  }

  // ---- endpoints and grants (core/tokenCalls) ---------------------------------------------------

  /** The environment's endpoints: kept from an earlier discovery while fresh, else discovered. */
  endpoints(environmentId: string, opts: CallOptions = {}): Promise<Endpoints> {
    return this.calls.endpoints(environmentId, opts);
  }

  /** Why the server will refuse the application's auth method, once discovery has said which it accepts. */
  authMethodWarning(app: Application): string | undefined {
    const endpoints = this.resolvedEndpoints.get(app.environmentId);
    return endpoints && unsupportedAuthMethod(endpoints, app.authMethod);
  }

  clientCredentials(applicationId: string, opts: CallOptions & { scope?: string } = {}): Promise<TokenSetInfo> {
    return this.calls.clientCredentials(applicationId, opts);
  }

  /**
   * Device authorization (RFC 8628): get a user code, hand it to `onUserCode` (the caller shows it),
   * then poll until the user approves on another device, denies, the code expires or `signal` aborts.
   */
  deviceAuthorization(applicationId: string, opts: CallOptions & { scope?: string; onUserCode: (info: UserCodeInfo) => void }): Promise<TokenSetInfo> {
    return this.calls.deviceAuthorization(applicationId, opts);
  }

  /** CIBA poll mode: ask the user (named by exactly one hint) to approve on their own device, then poll. */
  backchannelAuthentication(applicationId: string, opts: CallOptions & BackchannelOptions): Promise<TokenSetInfo> {
    return this.calls.backchannelAuthentication(applicationId, opts);
  }

  /** Resource-owner password grant; the password is used for this one request and never stored. */
  passwordGrant(applicationId: string, opts: CallOptions & { username: string; password: string; scope?: string }): Promise<TokenSetInfo> {
    return this.calls.passwordGrant(applicationId, opts);
  }

  /** Token exchange (RFC 8693): a new token set linked to its subject set. */
  tokenExchange(applicationId: string, opts: CallOptions & TokenExchangeOptions): Promise<TokenSetInfo> {
    return this.calls.tokenExchange(applicationId, opts);
  }

  /** Exchanges a code obtained elsewhere (pasted, or from `signIn`). */
  exchangeCode(
    applicationId: string,
    opts: CallOptions & { code: string; redirectUri: string; codeVerifier?: string; nonce?: string; scope?: string },
  ): Promise<TokenSetInfo> {
    return this.calls.exchangeCode(applicationId, opts);
  }

  /** Authorization code + PKCE through a one-shot loopback listener (closed in every outcome). */
  signIn(applicationId: string, opts: SignInOptions): Promise<TokenSetInfo> {
    return this.calls.signIn(applicationId, opts);
  }

  /** Headless sign-in through PingOne's flows API (test users); the password is never stored. */
  signInWithPassword(applicationId: string, opts: CallOptions & { username: string; password: string; scope?: string }): Promise<TokenSetInfo> {
    return this.calls.signInWithPassword(applicationId, opts);
  }

  /**
   * Refresh. Concurrent callers in this window share one request; windows take turns through the
   * cross-window lock. Under the lock the stored set is read again: if another window refreshed it
   * since this caller started (a different refresh token or issue time), that result is returned
   * without a request, so a rotated refresh token is never replayed. Nothing is written unless the
   * response validated, and only over the set it was computed from; `invalid_grant` marks the set
   * "sign-in required" and keeps its tokens. Client-credentials sets are re-issued in place.
   */
  refresh(tokenSetId: string, opts: RefreshOptions = {}): Promise<TokenSetInfo> {
    const key = `${tokenSetId}\u0000${opts.scope ?? ''}`;
    return this.refreshes.run(key, () =>
      this.writes.queue(`tokenSet:${tokenSetId}`, async () => {
        const startedFrom = await this.getTokenSet(tokenSetId);
        return this.crossWindow(tokenSetId, opts, () => this.calls.refresh(tokenSetId, opts, startedFrom));
      }),
    );
  }

  /** Runs `task` holding the token set's cross-window lock (when there is one); waits at most the request time-out. */
  private async crossWindow<T>(tokenSetId: string, opts: CallOptions, task: () => Promise<T>): Promise<T> {
    if (!this.deps.lock) return task();
    const { timeoutMs } = this.deps.http();
    // Held at most for the few requests one refresh makes (discovery, token, key set, key set again).
    const release = await this.deps.lock.acquire(`tokenSet-${tokenSetId}`, { waitMs: timeoutMs, holdMs: 4 * timeoutMs + 1000, signal: opts.signal });
    try {
      return await task();
    } finally {
      // A lock that cannot be removed expires at its deadline.
      await release().catch(() => undefined);
    }
  }

  /** Revokes the refresh token (which also ends its access tokens at most servers) and the access token. */
  revoke(tokenSetId: string, opts: CallOptions = {}): Promise<TokenSetInfo> {
    return this.writes.queue(`tokenSet:${tokenSetId}`, () => this.crossWindow(tokenSetId, opts, () => this.calls.revoke(tokenSetId, opts)));
  }

  introspect(tokenSetId: string, opts: CallOptions & { token?: 'access_token' | 'refresh_token' } = {}): Promise<Record<string, unknown>> {
    return this.calls.introspect(tokenSetId, opts);
  }

  userinfo(tokenSetId: string, opts: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.calls.userinfo(tokenSetId, opts);
  }

  /** A fresh DPoP proof for a request to a resource with this token set's access token (RFC 9449 §7). */
  dpopProof(tokenSetId: string, request: { method: string; url: string }): Promise<string> {
    return this.calls.dpopProof(tokenSetId, request);
  }

  /** Whether the refresh action applies: a refresh token, or a client-credentials set to re-issue. */
  static canRefresh(info: Pick<TokenSetInfo, 'hasRefreshToken' | 'grant'>): boolean {
    return info.hasRefreshToken || info.grant === 'client_credentials';
  }

  static scopes(scope: string | undefined): string[] {
    return scopeList(scope);
  }
}
