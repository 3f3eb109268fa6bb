/**
 * The token service: environments, applications and token sets, and every grant. Pure of `vscode`:
 * storage arrives as two small interfaces (a key-value state store for metadata, a secret store
 * for secrets), so the same code runs inside VS Code (globalState + SecretStorage) and in tests.
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
import { type Application, type ApplicationInput, GRANT_LABELS, GRANT_TYPES, isLoopbackRedirect, usesSecret, validateApplication } from './application';
import type { KeyRing } from './clientKeys';
import type { AuthorizationRequest } from './authorize';
import { bindingFor, checkBinding, decodeClientSecret, encodeClientSecret } from './binding';
import type { Endpoints } from './endpoints';
import { differOnlyBySlash, unsupportedAuthMethod, unsupportedGrant } from './serverMetadata';
import { type Environment, type EnvironmentInput, validateEnvironment } from './environment';
import { ExplorerError, invalidInput, isExplorerError } from './errors';
import { type ForeignOrigin, SECRET_ENDPOINTS, foreignOrigins } from './origins';
import { rememberSecrets } from './redact';
import type { HttpSettings } from './http';
import type { CrossWindowLock } from './lock';
import { PersistedCache } from './metadataCache';
import type { ClientCredentials, OAuthCall, TokenResponse } from './oauth';
import { SingleFlight, Sequencer } from './sequencer';
import { subjectOf } from './subject';
import { type Grant, type TokenSet, type TokenStatus, applyRefresh, isDpopBound, sameVersion, scopeList, scopeWidening, tokenSetFromResponse, tokenStatus } from './tokenSet';
import type { JwksCache } from './verify';
import type { PollClock } from './grants/polling';
import type { UserCodeInfo } from './grants/deviceCode';
import { decodeJwt } from './jwt';

/**
 * The grant machinery is required on first use (a lazy require the extension build points at
 * dist/features.js): listing and drawing stored tokens never loads it.
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

type TokenSetMeta = Omit<TokenSetInfo, 'status' | 'autoRefresh'> & { mark?: TokenSet['mark']; autoRefresh?: boolean };

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
const discoveryId = (env: Environment) => `${env.kind} ${env.issuer}`;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
  private readonly listeners = new Set<() => void>();
  /** Entries that could not be read, reported once per load; never hide the others. */
  readonly problems: string[] = [];

  constructor(private readonly deps: ServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
    this.discovered = new PersistedCache(deps.state, KEYS.discoveryCache, this.now);
    this.keySetStore = new PersistedCache(deps.state, KEYS.jwksCache, this.now);
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

  /** Also forget cached endpoints and key sets (after a settings change, or on the user's Refresh). */
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
    return this.withWorkspace(this.workspaceEntries.environments, this.readList<Environment>(
      KEYS.environments,
      (e) => typeof e.id === 'string' && typeof e.name === 'string' && typeof e.issuer === 'string' && typeof e.kind === 'string',
      'environment',
    ));
  }

  getEnvironment(id: string): Environment {
    const env = this.listEnvironments().find((e) => e.id === id);
    if (!env) throw invalidInput('environmentId', `No environment with id "${id}".`);
    return env;
  }

  listApplications(environmentId?: string): Application[] {
    const apps = this.withWorkspace(this.workspaceEntries.applications, this.readList<Application>(
      KEYS.applications,
      (a) => typeof a.id === 'string' && typeof a.environmentId === 'string' && typeof a.clientId === 'string' && typeof a.authMethod === 'string',
      'application',
    ));
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

  async addEnvironment(input: EnvironmentInput): Promise<Environment> {
    const env = validateEnvironment(input, this.newId());
    await this.updateList<Environment>(KEYS.environments, (l) => [...l, env]);
    this.changed();
    return env;
  }

  /**
   * Updates an environment. A new issuer drops its applications' client secrets and token sets:
   * they were issued for the old one and are never sent to another server (callers ask first).
   */
  async updateEnvironment(id: string, input: EnvironmentInput): Promise<Environment> {
    const previous = this.getEnvironment(id);
    const env = validateEnvironment(input, id);
    if (env.issuer !== previous.issuer) for (const app of this.listApplications(id)) await this.dropSecrets(app.id);
    await this.updateList<Environment>(KEYS.environments, (l) => l.map((e) => (e.id === id ? env : e)));
    this.endpointCache.delete(id);
    this.resolvedEndpoints.delete(id);
    this.changed();
    return env;
  }

  async removeEnvironment(id: string): Promise<void> {
    this.getEnvironment(id);
    for (const app of this.listApplications(id)) await this.removeApplicationData(app.id);
    await this.updateList<Environment>(KEYS.environments, (l) => l.filter((e) => e.id !== id));
    this.endpointCache.delete(id);
    this.resolvedEndpoints.delete(id);
    this.changed();
  }

  async addApplication(environmentId: string, input: ApplicationInput): Promise<Application> {
    const { issuer } = this.getEnvironment(environmentId);
    let app = validateApplication(input, { id: this.newId(), environmentId }, { hasStoredSecret: false });
    // The key is read (or generated) before anything is stored: a malformed key stores nothing.
    const ring = app.authMethod === 'private_key_jwt' ? await this.newKeyRing(undefined, input.privateKey, app.signingAlg) : undefined;
    if (ring) app = this.withActiveKey(app, ring);
    if (ring) await this.deps.secrets.store(KEYS.clientKey(app.id), JSON.stringify(ring));
    if (usesSecret(app.authMethod) && input.clientSecret) await this.deps.secrets.store(KEYS.clientSecret(app.id), encodeClientSecret(input.clientSecret, { issuer }));
    await this.updateList<Application>(KEYS.applications, (l) => [...l, app]);
    this.changed();
    return app;
  }

  /** Updates an application; a secret or key left out keeps the stored one; a new key is added to the ring. */
  async updateApplication(id: string, input: ApplicationInput): Promise<Application> {
    const existing = this.getApplication(id);
    const hasStoredSecret = (await this.deps.secrets.get(KEYS.clientSecret(id))) !== undefined;
    let app = validateApplication(input, { id, environmentId: existing.environmentId }, { hasStoredSecret, keyId: existing.keyId });
    let ring = await this.keyRing(id);
    if (app.authMethod === 'private_key_jwt' && (input.privateKey || !ring)) ring = await this.newKeyRing(ring, input.privateKey, app.signingAlg);
    if (app.authMethod === 'private_key_jwt' && ring) app = this.withActiveKey(app, ring);
    if (ring && app.authMethod === 'private_key_jwt') await this.deps.secrets.store(KEYS.clientKey(id), JSON.stringify(ring));
    if (app.authMethod === 'none') await this.deps.secrets.delete(KEYS.clientSecret(id));
    else if (input.clientSecret) {
      const { issuer } = this.getEnvironment(existing.environmentId);
      await this.deps.secrets.store(KEYS.clientSecret(id), encodeClientSecret(input.clientSecret, { issuer }));
    }
    await this.updateList<Application>(KEYS.applications, (l) => l.map((a) => (a.id === id ? app : a)));
    this.changed();
    return app;
  }

  // ---- private keys (private_key_jwt) --------------------------------------------------------------

  private async keyRing(appId: string): Promise<KeyRing | undefined> {
    return grants().parseKeyRing(await this.deps.secrets.get(KEYS.clientKey(appId)));
  }

  private async newKeyRing(ring: KeyRing | undefined, pasted: string | undefined, alg: string | undefined): Promise<KeyRing> {
    const key = pasted ? await grants().parsePrivateKey(pasted, alg, this.now()) : await grants().generatePrivateKey(alg, this.now());
    return grants().addToRing(ring, key);
  }

  private withActiveKey(app: Application, ring: KeyRing): Application {
    const key = grants().activeKey(ring);
    return key ? { ...app, keyId: key.kid, signingAlg: key.alg } : app;
  }

  /** The public JWKS to register for the application in the tenant (every key of its ring). */
  async publicJwks(applicationId: string): Promise<{ keys: Array<Record<string, unknown>> }> {
    const app = this.getApplication(applicationId);
    if (app.authMethod !== 'private_key_jwt') throw invalidInput('authMethod', `"${app.name}" does not use private_key_jwt, so it has no key pair.`);
    return grants().publicJwks(await this.keyRing(applicationId)) as { keys: Array<Record<string, unknown>> };
  }

  /** Generates a new signing key; the old public keys stay in the JWKS until removed. Returns the new public JWK. */
  async rotateKey(applicationId: string, opts: { signingAlg?: string } = {}): Promise<Record<string, unknown>> {
    const app = this.getApplication(applicationId);
    if (app.authMethod !== 'private_key_jwt') throw invalidInput('authMethod', `"${app.name}" does not use private_key_jwt, so it has no key to rotate.`);
    const ring = await this.newKeyRing(await this.keyRing(applicationId), undefined, opts.signingAlg ?? app.signingAlg);
    await this.deps.secrets.store(KEYS.clientKey(applicationId), JSON.stringify(ring));
    await this.updateList<Application>(KEYS.applications, (l) => l.map((a) => (a.id === applicationId ? this.withActiveKey(a, ring) : a)));
    this.changed();
    return grants().publicJwks(ring).keys.find((k) => k.kid === ring.active) as Record<string, unknown>;
  }

  /** Removes a rotated-out key from the ring (and so from the public JWKS). */
  async removeKey(applicationId: string, kid: string): Promise<void> {
    const ring = await this.keyRing(applicationId);
    if (!ring) throw invalidInput('kid', 'The application has no keys.');
    await this.deps.secrets.store(KEYS.clientKey(applicationId), JSON.stringify(grants().removeFromRing(ring, kid)));
    this.changed();
  }

  // ---- the workspace file (.vscode/pingone.json): entries shown beside the user's own -----------

  private workspaceEntries: { environments: Environment[]; applications: Application[] } = { environments: [], applications: [] };

  /**
   * Replaces the entries that come from the workspace file. They are listed with the user's own;
   * an entry with the id of a stored one (exported, or the same file in another clone) takes its
   * place, so its stored secret and tokens stay attached. Nothing is written to the stores.
   */
  setWorkspaceEntries(entries: { environments: Environment[]; applications: Application[] }): void {
    this.workspaceEntries = { environments: [...entries.environments], applications: [...entries.applications] };
    this.changed();
  }

  /** Stores a secret for an application (workspace entries: each person enters theirs once). */
  async setClientSecret(applicationId: string, secret: string): Promise<void> {
    const app = this.getApplication(applicationId);
    if (app.authMethod === 'none') throw invalidInput('clientSecret', `"${app.name}" is a public client (auth method none): it has no secret.`);
    if (!secret) throw invalidInput('clientSecret', 'The client secret is empty.');
    await this.deps.secrets.store(KEYS.clientSecret(applicationId), encodeClientSecret(secret, { issuer: this.getEnvironment(app.environmentId).issuer }));
    this.changed();
  }

  private withWorkspace<T extends { id: string }>(workspace: T[], stored: T[]): T[] {
    if (!workspace.length) return stored;
    const ids = new Set(workspace.map((w) => w.id));
    return [...stored.filter((s) => !ids.has(s.id)), ...workspace];
  }

  // ---- imported applications (tenant imports; the secret may come later) ------------------------

  /**
   * Adds an imported application, or updates the one `existingId` names, without requiring a
   * secret: a tenant import may not be allowed to read it, and the user pastes it later (Edit
   * Application). A secret given is stored when it differs; one left out keeps what is stored.
   */
  async saveImportedApplication(environmentId: string, input: ApplicationInput, existingId?: string): Promise<Application> {
    this.getEnvironment(environmentId);
    if (existingId !== undefined && this.getApplication(existingId).environmentId !== environmentId) {
      throw invalidInput('environmentId', 'An imported application stays in its environment.');
    }
    let app = validateApplication(input, { id: existingId ?? this.newId(), environmentId }, { hasStoredSecret: true });
    if (app.authMethod === 'private_key_jwt') {
      // A tenant never hands out private keys: keep the one this application has, or make one to register.
      let ring = await this.keyRing(app.id);
      if (!ring) {
        ring = await this.newKeyRing(undefined, undefined, undefined);
        await this.deps.secrets.store(KEYS.clientKey(app.id), JSON.stringify(ring));
      }
      app = this.withActiveKey(app, ring);
    }
    if (!usesSecret(app.authMethod)) await this.deps.secrets.delete(KEYS.clientSecret(app.id));
    else if (input.clientSecret && !(await this.clientSecretMatches(app.id, input.clientSecret))) {
      await this.deps.secrets.store(KEYS.clientSecret(app.id), encodeClientSecret(input.clientSecret, { issuer: this.getEnvironment(environmentId).issuer }));
    }
    await this.updateList<Application>(KEYS.applications, (l) => (existingId !== undefined ? l.map((a) => (a.id === existingId ? app : a)) : [...l, app]));
    this.changed();
    return app;
  }

  /** The current HTTP settings (timeout, proxy, log), for the management API client. */
  httpSettings(): HttpSettings {
    return this.deps.http();
  }

  /** Whether the stored secret equals `secret` (for sync), without handing the stored one out. */
  async clientSecretMatches(applicationId: string, secret: string): Promise<boolean> {
    const raw = await this.deps.secrets.get(KEYS.clientSecret(applicationId));
    return raw !== undefined && decodeClientSecret(raw).secret === secret;
  }

  async hasClientSecret(applicationId: string): Promise<boolean> {
    return (await this.deps.secrets.get(KEYS.clientSecret(applicationId))) !== undefined;
  }

  async removeApplication(id: string): Promise<void> {
    this.getApplication(id);
    await this.removeApplicationData(id);
    this.changed();
  }

  private async removeApplicationData(appId: string): Promise<void> {
    await this.dropSecrets(appId);
    // The private key stays through an issuer change (its assertions name their audience, so they
    // cannot be replayed elsewhere); it goes with the application.
    await this.deps.secrets.delete(KEYS.clientKey(appId));
    await this.updateList<Application>(KEYS.applications, (l) => l.filter((a) => a.id !== appId));
  }

  /** Deletes an application's token sets and client secret; the application itself stays. */
  private async dropSecrets(appId: string): Promise<void> {
    for (const t of this.readIndex().filter((t) => t.applicationId === appId)) {
      await this.deps.secrets.delete(KEYS.tokenSet(t.id));
    }
    await this.updateList<TokenSetMeta>(KEYS.tokenIndex, (l) => l.filter((t) => t.applicationId !== appId));
    await this.deps.secrets.delete(KEYS.clientSecret(appId));
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

  // ---- endpoints and client ----------------------------------------------------------------------

  endpoints(environmentId: string, opts: CallOptions = {}): Promise<Endpoints> {
    const env = this.getEnvironment(environmentId);
    let p = this.endpointCache.get(env.id);
    if (!p) {
      // Discovered by another window or before a restart, and still fresh: no request.
      const kept = this.discovered.get(discoveryId(env));
      if (kept) this.keptEndpoints.add(kept);
      p = (
        kept
          ? Promise.resolve(kept)
          : grants()
              .resolveEndpoints(env, { ...this.deps.http(), signal: opts.signal })
              .then(async (e) => {
                if (e.source === 'discovery') await this.discovered.put(discoveryId(env), e, e.maxAgeMs ?? 0).then(undefined, () => undefined);
                return e;
              })
      ).then((e) => this.adoptIssuer(env, e));
      this.endpointCache.set(env.id, p);
      const settled = p;
      // A failed resolution is not cached: the next call tries again.
      settled.then(
        (endpoints) => {
          this.resolvedEndpoints.set(env.id, endpoints);
          // The tree shows a warning on applications whose auth method the server does not list.
          if (this.listApplications(env.id).some((a) => this.authMethodWarning(a))) this.changed();
        },
        () => this.endpointCache.get(env.id) === settled && this.endpointCache.delete(env.id),
      );
    }
    return p;
  }

  /** Why the server will refuse the application's auth method, once discovery has said which it accepts. */
  authMethodWarning(app: Application): string | undefined {
    const endpoints = this.resolvedEndpoints.get(app.environmentId);
    return endpoints && unsupportedAuthMethod(endpoints, app.authMethod);
  }

  private readonly resolvedEndpoints = new Map<string, Endpoints>();

  /**
   * The server's issuer differs from the stored one only by a trailing slash (as entered, or as
   * earlier versions stored it): it is the real identifier, so the environment takes it and the
   * user is told. Any other difference was refused by discovery.
   */
  private async adoptIssuer(env: Environment, endpoints: Endpoints): Promise<Endpoints> {
    if (!differOnlyBySlash(endpoints.issuer, env.issuer)) return endpoints;
    await this.updateList<Environment>(KEYS.environments, (l) => l.map((e) => (e.id === env.id ? { ...e, issuer: endpoints.issuer } : e)));
    this.report(`Environment "${env.name}": the server's issuer is "${endpoints.issuer}", so the environment now uses it (it was "${env.issuer}").`);
    this.changed();
    return endpoints;
  }

  /**
   * A request to endpoints kept from an earlier discovery (another window, before a restart) failed
   * without an OAuth answer: discover once more. Returns the new endpoints when the token endpoint
   * moved (the caller may then retry once), else undefined (the caller reports its error).
   */
  private async rediscoverAfterFailure(environmentId: string, used: Endpoints, err: unknown, opts: CallOptions): Promise<Endpoints | undefined> {
    if (!this.keptEndpoints.has(used) || !(isExplorerError(err, 'network') || isExplorerError(err, 'http_error'))) return undefined;
    this.keptEndpoints.delete(used);
    this.endpointCache.delete(environmentId);
    await this.discovered.delete(discoveryId(this.getEnvironment(environmentId))).then(undefined, () => undefined);
    const fresh = await this.endpoints(environmentId, opts).catch(() => undefined);
    return fresh && fresh.token !== used.token ? fresh : undefined;
  }

  /**
   * What every client-authenticated call needs. DPoP: `dpopKey` is the key a stored set is bound
   * to; `newSet` makes one for a DPoP application's new token set. Other calls (revocation,
   * introspection, PAR) carry no proof and get no key.
   */
  private async call(
    app: Application,
    opts: CallOptions,
    endpoints?: Endpoints,
    dpop: { dpopKey?: Record<string, unknown>; newSet?: boolean } = {},
  ): Promise<OAuthCall> {
    const unsupported = endpoints && unsupportedAuthMethod(endpoints, app.authMethod);
    if (unsupported) throw invalidInput('authMethod', unsupported);
    const client: ClientCredentials = {
      clientId: app.clientId,
      authMethod: app.authMethod,
      signingAlg: app.signingAlg,
      assertionAudience: app.assertionAudience,
      tokenEndpoint: endpoints?.token,
      issuer: endpoints?.issuer,
    };
    if (usesSecret(app.authMethod)) client.clientSecret = await this.boundSecret(app, opts);
    if (app.authMethod === 'private_key_jwt') {
      const ring = await this.keyRing(app.id);
      client.privateKey = grants().activeKey(ring)?.privateJwk;
    }
    const key = dpop.dpopKey ?? (dpop.newSet && app.dpop ? await grants().generateDpopKey() : undefined);
    return { client, http: { ...this.deps.http(), signal: opts.signal }, ...(key ? { dpop: { key } } : {}) };
  }

  /** The client secret, only if it belongs to the environment's issuer and token endpoint as they are now (core/binding). */
  private async boundSecret(app: Application, opts: CallOptions): Promise<string | undefined> {
    const raw = await this.deps.secrets.get(KEYS.clientSecret(app.id));
    if (raw === undefined) return undefined;
    const env = this.getEnvironment(app.environmentId);
    const { token } = await this.acceptedEndpoints(env, opts);
    const { secret, binding } = decodeClientSecret(raw);
    const fix = 'If the new issuer is right, edit the application and enter its secret again; otherwise change the issuer back.';
    if (binding) checkBinding(binding, env, token, `The client secret of "${app.name}"`, fix);
    rememberSecrets(secret);
    return secret;
  }

  /**
   * After the first grant that succeeded with it, a client secret is also bound to the token
   * endpoint's origin (and a secret stored before bindings existed gets its binding). A failed
   * call writes nothing.
   */
  private async pinSecret(app: Application, tokenEndpoint: string): Promise<void> {
    const raw = await this.deps.secrets.get(KEYS.clientSecret(app.id));
    if (raw === undefined) return;
    const { secret, binding } = decodeClientSecret(raw);
    if (binding?.tokenOrigin) return;
    const bound = bindingFor(this.getEnvironment(app.environmentId), tokenEndpoint);
    await this.deps.secrets.store(KEYS.clientSecret(app.id), encodeClientSecret(secret, bound));
  }

  private readonly originQuestions = new Map<string, Promise<void>>();

  /** The endpoints, once the user accepted (once per issuer and origin) any other origin they point secrets and tokens to. */
  private async acceptedEndpoints(env: Environment, opts: CallOptions): Promise<Endpoints> {
    const endpoints = await this.endpoints(env.id, opts);
    const accepted = new Set(this.deps.state.get<string[]>(KEYS.acceptedOrigins) ?? []);
    const open = foreignOrigins(endpoints, SECRET_ENDPOINTS).filter((f) => !accepted.has(`${env.issuer} ${f.origin}`));
    if (!open.length || !this.deps.confirmOrigins) return endpoints;
    const key = `${env.issuer} ${open.map((f) => f.origin).join(' ')}`;
    let question = this.originQuestions.get(key);
    if (!question) {
      question = (async () => {
        if (!(await this.deps.confirmOrigins?.(env, open))) throw new ExplorerError('cancelled', 'Nothing was sent: the other host was not accepted.');
        const pairs = [...new Set([...(this.deps.state.get<string[]>(KEYS.acceptedOrigins) ?? []), ...open.map((f) => `${env.issuer} ${f.origin}`)])];
        await this.deps.state.update(KEYS.acceptedOrigins, pairs);
      })().finally(() => this.originQuestions.delete(key));
      this.originQuestions.set(key, question);
    }
    await question;
    return endpoints;
  }

  private bindingNow(app: Application, endpoints: Endpoints) {
    return bindingFor(this.getEnvironment(app.environmentId), endpoints.token);
  }

  /** A stored token set, only if it belongs to its environment's issuer and token endpoint as they are now. */
  private async boundTokenSet(id: string, opts: CallOptions): Promise<TokenSet> {
    const set = await this.getTokenSet(id);
    const env = this.getEnvironment(set.environmentId);
    const { token } = await this.acceptedEndpoints(env, opts);
    const fix = 'Delete the token set and get new tokens, or change the issuer back.';
    if (set.issuer) checkBinding({ issuer: set.issuer, tokenOrigin: set.tokenOrigin }, env, token, 'This token set', fix);
    // Sets stored before bindings existed are bound from here on (written with their next save).
    return { ...set, ...bindingFor(env, token) };
  }

  private requireEndpoint(endpoints: Endpoints, key: 'introspection' | 'revocation' | 'userinfo', label: string): string {
    const url = endpoints[key];
    if (!url) throw new ExplorerError('invalid_input', `The issuer ${endpoints.issuer} has no ${label} endpoint.`, { field: key });
    return url;
  }

  // ---- grants ----------------------------------------------------------------------------------

  private requireGrant(app: Application, grant: Grant): void {
    if (!(app.grants ?? []).includes(grant)) {
      throw invalidInput('grants', `The application "${app.name}" is not set up for ${GRANT_LABELS[grant]}: edit the application to enable it.`);
    }
  }

  async clientCredentials(applicationId: string, opts: CallOptions & { scope?: string } = {}): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    this.requireGrant(app, 'client_credentials');
    const scope = opts.scope ?? app.scopes;
    const endpoints = await this.endpoints(app.environmentId, opts);
    const call = await this.call(app, opts, endpoints, { newSet: true });
    const response = await grants()
      .clientCredentialsGrant(endpoints.token, call, { scope })
      .catch(async (err: unknown) => {
        const moved = await this.rediscoverAfterFailure(app.environmentId, endpoints, err, opts);
        if (!moved) throw err;
        return grants().clientCredentialsGrant(moved.token, { ...call, client: { ...call.client, tokenEndpoint: moved.token } }, { scope });
      });
    const set = tokenSetFromResponse(
      response,
      { id: this.newId(), applicationId: app.id, environmentId: app.environmentId, ...this.bindingNow(app, endpoints) },
      'client_credentials',
      this.now(),
      scope,
    );
    await this.pinSecret(app, endpoints.token);
    return this.saveTokenSet(withDpopKey(set, call));
  }

  // ---- grants where the user approves elsewhere, exchanges, password (one method per grant) ------

  /**
   * The endpoints and client for a grant, checked before any grant request: the application has
   * the grant, and the server's discovery (when it lists grants) offers it.
   */
  private async grantCall(app: Application, grant: Grant, opts: CallOptions): Promise<{ endpoints: Endpoints; call: OAuthCall }> {
    this.requireGrant(app, grant);
    const endpoints = await this.endpoints(app.environmentId, opts);
    const unsupported = unsupportedGrant(endpoints, GRANT_TYPES[grant], GRANT_LABELS[grant]);
    if (unsupported) throw new ExplorerError('unsupported_grant_type', unsupported);
    return { endpoints, call: await this.call(app, opts, endpoints, { newSet: true }) };
  }

  /** Validates the ID token of a grant's answer (when there is one) and stores the new set. */
  private async storeIssued(
    app: Application,
    endpoints: Endpoints,
    call: OAuthCall,
    response: TokenResponse,
    grant: Grant,
    scope: string | undefined,
    extra: Partial<TokenSet> = {},
  ): Promise<TokenSetInfo> {
    if (response.idToken) {
      await grants().validateIdToken(
        response.idToken,
        { issuer: endpoints.issuer, clientId: app.clientId, clientSecret: call.client.clientSecret, jwksUrl: endpoints.jwks, now: this.now() },
        this.jwks,
      );
    }
    const ids = { id: this.newId(), applicationId: app.id, environmentId: app.environmentId, ...bindingFor(this.getEnvironment(app.environmentId), endpoints.token) };
    await this.pinSecret(app, endpoints.token);
    return this.saveTokenSet(withDpopKey({ ...tokenSetFromResponse(response, ids, grant, this.now(), scope), ...extra }, call));
  }

  private pollClock(): PollClock {
    return { now: this.now, sleep: this.deps.sleep ?? grants().systemClock.sleep };
  }

  /**
   * Device authorization (RFC 8628): get a user code, hand it to `onUserCode` (the caller shows it),
   * then poll until the user approves on another device, denies, the code expires or `signal` aborts.
   */
  async deviceAuthorization(
    applicationId: string,
    opts: CallOptions & { scope?: string; onUserCode: (info: UserCodeInfo) => void },
  ): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    const { endpoints, call } = await this.grantCall(app, 'device_code', opts);
    if (!endpoints.deviceAuthorization) {
      throw invalidInput('deviceAuthorization', `The issuer ${endpoints.issuer} has no device authorization endpoint (its discovery lists none).`);
    }
    const scope = opts.scope ?? app.scopes;
    const authorization = await grants().requestDeviceAuthorization(endpoints.deviceAuthorization, call, { scope, now: this.now() });
    const { deviceCode: _credential, ...shown } = authorization;
    opts.onUserCode(shown);
    const response = await grants().pollDeviceToken(endpoints.token, call, authorization, { clock: this.pollClock(), signal: opts.signal });
    return this.storeIssued(app, endpoints, call, response, 'device_code', scope);
  }

  /**
   * CIBA poll mode: ask the user (named by exactly one hint; `idTokenHintTokenSetId` uses a stored
   * set's ID token) to approve on their own device, then poll as the device grant does.
   */
  async backchannelAuthentication(applicationId: string, opts: CallOptions & BackchannelOptions): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    let idTokenHint: string | undefined;
    if (opts.idTokenHintTokenSetId) {
      idTokenHint = (await this.getTokenSet(opts.idTokenHintTokenSetId)).idToken;
      if (!idTokenHint) throw invalidInput('idTokenHintTokenSetId', 'That token set has no ID token to name the user with: choose a set from a sign-in.');
    }
    const { endpoints, call } = await this.grantCall(app, 'ciba', opts);
    if (!endpoints.backchannelAuthentication) {
      throw invalidInput('backchannelAuthentication', `The issuer ${endpoints.issuer} has no backchannel authentication endpoint (its discovery lists none).`);
    }
    const scope = opts.scope ?? app.scopes;
    const request = { loginHint: opts.loginHint, idTokenHint, loginHintToken: opts.loginHintToken, bindingMessage: opts.bindingMessage, scope };
    const authorization = await grants().requestBackchannelAuthentication(endpoints.backchannelAuthentication, call, { ...request, now: this.now() });
    opts.onRequest?.({ expiresAt: authorization.expiresAt, interval: authorization.interval });
    const response = await grants().pollCibaToken(endpoints.token, call, authorization, { clock: this.pollClock(), signal: opts.signal });
    return this.storeIssued(app, endpoints, call, response, 'ciba', scope);
  }

  /**
   * Resource-owner password grant. The password is used for this one request and never stored.
   * PingOne has no such grant: a PingOne environment gets the explanation (and the flows-API
   * alternative) before any request.
   */
  async passwordGrant(applicationId: string, opts: CallOptions & { username: string; password: string; scope?: string }): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    if (this.getEnvironment(app.environmentId).kind === 'pingone') {
      throw new ExplorerError('unsupported_grant_type', grants().PINGONE_PASSWORD_EXPLANATION);
    }
    const { endpoints, call } = await this.grantCall(app, 'password', opts);
    const scope = opts.scope ?? app.scopes;
    const response = await grants().passwordGrant(endpoints.token, call, { username: opts.username, password: opts.password, scope });
    return this.storeIssued(app, endpoints, call, response, 'password', scope);
  }

  /**
   * Token exchange (RFC 8693): the subject set's access token (or ID token), optionally with an
   * actor set's access token, for a new token set linked to its subject. A public application is
   * refused before any request.
   */
  async tokenExchange(applicationId: string, opts: CallOptions & TokenExchangeOptions): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    this.requireGrant(app, 'token_exchange');
    if (app.authMethod === 'none') {
      throw invalidInput('authMethod', `Token exchange needs a confidential application; "${app.name}" is public (auth method none). Edit it to use a client secret.`);
    }
    const subject = await this.getTokenSet(opts.subjectTokenSetId);
    const which = opts.subjectToken ?? 'access_token';
    const subjectToken = which === 'id_token' ? subject.idToken : subject.accessToken;
    if (!subjectToken) throw invalidInput('subjectToken', 'The subject token set has no ID token: exchange its access token, or choose a set from a sign-in.');
    const actor = opts.actorTokenSetId ? await this.getTokenSet(opts.actorTokenSetId) : undefined;
    const { endpoints, call } = await this.grantCall(app, 'token_exchange', opts);
    const types = grants().TOKEN_TYPES;
    const response = await grants().tokenExchangeGrant(endpoints.token, call, {
      subjectToken,
      subjectTokenType: types[which],
      actorToken: actor?.accessToken,
      actorTokenType: actor ? types.access_token : undefined,
      audience: opts.audience,
      resource: opts.resource,
      scope: opts.scope,
      requestedTokenType: opts.requestedTokenType,
    });
    return this.storeIssued(app, endpoints, call, response, 'token_exchange', opts.scope, {
      subjectTokenSetId: subject.id,
      issuedTokenType: response.issuedTokenType,
    });
  }

  /** Exchanges a code obtained elsewhere (pasted, or from `signIn`). */
  async exchangeCode(
    applicationId: string,
    opts: CallOptions & { code: string; redirectUri: string; codeVerifier?: string; nonce?: string; scope?: string },
  ): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    const endpoints = await this.endpoints(app.environmentId, opts);
    const call = await this.call(app, opts, endpoints, { newSet: true });
    const response = await grants().authorizationCodeGrant(endpoints.token, call, opts);
    if (response.idToken) {
      await grants().validateIdToken(
        response.idToken,
        { issuer: endpoints.issuer, clientId: app.clientId, clientSecret: call.client.clientSecret, nonce: opts.nonce, jwksUrl: endpoints.jwks, now: this.now() },
        this.jwks,
      );
    }
    const set = tokenSetFromResponse(
      response,
      { id: this.newId(), applicationId: app.id, environmentId: app.environmentId, ...this.bindingNow(app, endpoints) },
      'authorization_code',
      this.now(),
      opts.scope,
    );
    await this.pinSecret(app, endpoints.token);
    return this.saveTokenSet(withDpopKey(set, call));
  }

  /**
   * Authorization code + PKCE through a one-shot loopback listener. The listener is closed in
   * every outcome: success, error response, wrong state, time-out, cancellation.
   */
  async signIn(applicationId: string, opts: SignInOptions): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    this.requireGrant(app, 'authorization_code');
    const { host, port, path } = loopbackPlan(app.redirectUri);
    const endpoints = await this.endpoints(app.environmentId, opts);
    const listener = new (grants().LoopbackListener)(path, host === 'localhost' ? 'localhost' : '127.0.0.1');
    const onAbort = () => listener.abort(new ExplorerError('cancelled', 'Sign-in was cancelled.'));
    const timer = setTimeout(
      () => listener.abort(new ExplorerError('timeout', 'Sign-in timed out: no answer came back from the browser.')),
      opts.timeoutMs ?? 5 * 60_000,
    );
    try {
      const actualPort = await listener.start(port);
      if (opts.signal?.aborted) throw new ExplorerError('cancelled', 'Sign-in was cancelled.');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const localRedirectUri = `http://${host}:${actualPort}${path}`;
      opts.onListening?.(localRedirectUri);
      const redirectUri = opts.mapRedirectUri ? await opts.mapRedirectUri(localRedirectUri) : localRedirectUri;
      const request: AuthorizationRequest = await grants().createAuthorizationRequest(endpoints, await this.call(app, opts, endpoints), {
        clientId: app.clientId,
        redirectUri,
        scope: opts.scope ?? app.scopes ?? 'openid',
        plan: grants().planAuthorization(app, endpoints),
        now: this.now(),
      });
      listener.expect(request.state, [new URL(localRedirectUri).host, new URL(redirectUri).host]);
      await opts.openExternal(request.url);
      const result = await listener.wait();
      try {
        const code = grants().validateAuthorizationResponse(result.params, {
          state: request.state,
          issuer: endpoints.issuer,
          requireIss: endpoints.issParameterSupported,
        });
        const info = await this.exchangeCode(app.id, {
          code,
          redirectUri,
          codeVerifier: request.pkce.verifier,
          nonce: request.nonce,
          scope: opts.scope ?? app.scopes,
          signal: opts.signal,
        });
        result.respond({ ok: true, message: `Signed in to ${app.name}. The tokens are in VS Code.` });
        return info;
      } catch (err) {
        // The page repeats nothing from the server or the request: VS Code shows the reason.
        result.respond({ ok: false, message: 'Sign-in did not complete. VS Code shows why.' });
        throw err;
      }
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      await listener.stop();
    }
  }

  /**
   * Headless sign-in through PingOne's flows API (username and password, for test users). The
   * password is used for this one exchange and never stored.
   */
  async signInWithPassword(
    applicationId: string,
    opts: CallOptions & { username: string; password: string; scope?: string },
  ): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    this.requireGrant(app, 'authorization_code');
    const endpoints = await this.endpoints(app.environmentId, opts);
    const redirectUri = app.redirectUri ?? 'http://127.0.0.1/callback';
    const scope = opts.scope ?? app.scopes ?? 'openid';
    const { code, request } = await grants().flowsSignIn(endpoints, {
      clientId: app.clientId,
      redirectUri,
      scope,
      username: opts.username,
      password: opts.password,
      http: { ...this.deps.http(), signal: opts.signal },
    });
    return this.exchangeCode(app.id, { code, redirectUri, codeVerifier: request.pkce.verifier, nonce: request.nonce, scope, signal: opts.signal });
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
        return this.crossWindow(tokenSetId, opts, () => this.doRefresh(tokenSetId, opts, startedFrom));
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

  /** Whether the stored set is already what the caller wanted: refreshed elsewhere since it started, or not due yet. */
  private refreshedElsewhere(stored: TokenSet, startedFrom: TokenSet, opts: RefreshOptions): boolean {
    if (!sameVersion(stored, startedFrom)) return true;
    const lead = opts.onlyIfExpiringWithinMs;
    return lead !== undefined && !stored.mark && stored.expiresAt !== undefined && stored.expiresAt - lead > this.now();
  }

  /**
   * Writes `next`, computed from `basis`, only while the stored set is still `basis` (same refresh
   * token and issue time). Otherwise another window moved it on: the stored set stands and is returned.
   */
  private async commitTokenSet(basis: TokenSet, next: TokenSet): Promise<TokenSetInfo> {
    const stored = await this.getTokenSet(basis.id);
    if (!sameVersion(stored, basis)) return this.saveTokenSet(stored, true);
    return this.saveTokenSet(next);
  }

  private async doRefresh(tokenSetId: string, opts: RefreshOptions, startedFrom: TokenSet): Promise<TokenSetInfo> {
    const current = await this.boundTokenSet(tokenSetId, opts);
    if (this.refreshedElsewhere(current, startedFrom, opts)) return this.saveTokenSet(current, true);
    const app = this.getApplication(current.applicationId);
    const widening = scopeWidening(current.scope, opts.scope);
    if (widening.length) {
      throw invalidInput(
        'scope',
        `A refresh can only keep or narrow the granted scope; ${widening.join(', ')} ${widening.length > 1 ? 'were' : 'was'} not granted. Sign in again to ask for more.`,
      );
    }
    const endpoints = await this.endpoints(app.environmentId, opts);
    const call = await this.call(app, opts, endpoints, { dpopKey: current.dpopKey });
    const now = () => this.now();
    if (!current.refreshToken) {
      if (current.grant !== 'client_credentials') {
        throw new ExplorerError('invalid_input', 'This token set has no refresh token: sign in again.', { field: 'refreshToken' });
      }
      const scope = opts.scope ?? current.scope;
      const response = await grants().clientCredentialsGrant(endpoints.token, call, { scope });
      return this.commitTokenSet(current, applyRefresh(current, response, now(), scope));
    }
    try {
      const response = await grants().refreshTokenGrant(endpoints.token, call, { refreshToken: current.refreshToken, scope: opts.scope });
      if (response.idToken) {
        const claims = await grants().validateIdToken(
          response.idToken,
          { issuer: endpoints.issuer, clientId: app.clientId, clientSecret: call.client.clientSecret, jwksUrl: endpoints.jwks, now: now() },
          this.jwks,
        );
        if (current.idToken) grants().checkRefreshedIdToken(decodeJwt(current.idToken).payload, claims);
      }
      return await this.commitTokenSet(current, applyRefresh(current, response, now(), opts.scope));
    } catch (err) {
      if (isExplorerError(err, 'invalid_grant')) {
        // Refused because another window rotated the token meanwhile? Then its tokens are the answer.
        const stored = await this.getTokenSet(tokenSetId);
        if (!sameVersion(stored, current)) return this.saveTokenSet(stored, true);
        await this.saveTokenSet({ ...stored, mark: 'sign-in-required' });
      }
      throw err;
    }
  }

  /** Revokes the refresh token (which also ends its access tokens at most servers) and the access token. */
  async revoke(tokenSetId: string, opts: CallOptions = {}): Promise<TokenSetInfo> {
    return this.writes.queue(`tokenSet:${tokenSetId}`, () =>
      this.crossWindow(tokenSetId, opts, async () => {
        let set = await this.boundTokenSet(tokenSetId, opts);
        // Tokens that changed while they were being revoked (another window) are revoked too, once.
        for (let attempt = 1; ; attempt++) {
          const app = this.getApplication(set.applicationId);
          const endpoints = await this.endpoints(app.environmentId, opts);
          const url = this.requireEndpoint(endpoints, 'revocation', 'revocation');
          const call = await this.call(app, opts, endpoints);
          if (set.refreshToken) await grants().revokeToken(url, call, { token: set.refreshToken, hint: 'refresh_token' });
          await grants().revokeToken(url, call, { token: set.accessToken, hint: 'access_token' });
          const stored = await this.getTokenSet(tokenSetId);
          if (sameVersion(stored, set)) return this.saveTokenSet({ ...stored, mark: 'revoked' });
          if (attempt === 2) throw new ExplorerError('conflict', 'The tokens changed in another window while they were being revoked: revoke them again.');
          set = stored;
        }
      }),
    );
  }

  async introspect(tokenSetId: string, opts: CallOptions & { token?: 'access_token' | 'refresh_token' } = {}): Promise<Record<string, unknown>> {
    const set = await this.boundTokenSet(tokenSetId, opts);
    const app = this.getApplication(set.applicationId);
    const endpoints = await this.endpoints(app.environmentId, opts);
    const url = this.requireEndpoint(endpoints, 'introspection', 'introspection');
    const which = opts.token ?? 'access_token';
    const token = which === 'refresh_token' ? set.refreshToken : set.accessToken;
    if (!token) throw invalidInput('token', 'This token set has no refresh token to introspect.');
    return grants().introspectToken(url, await this.call(app, opts, endpoints), { token, hint: which });
  }

  async userinfo(tokenSetId: string, opts: CallOptions = {}): Promise<Record<string, unknown>> {
    const set = await this.boundTokenSet(tokenSetId, opts);
    const app = this.getApplication(set.applicationId);
    if (set.grant === 'client_credentials') {
      throw invalidInput('tokenSetId', 'Userinfo needs a user\'s access token; this one came from the client-credentials grant.');
    }
    const endpoints = await this.endpoints(app.environmentId, opts);
    const url = this.requireEndpoint(endpoints, 'userinfo', 'userinfo');
    // The ID token of this set was validated when it arrived; userinfo must describe the same user.
    const sub = set.idToken ? decodeJwt(set.idToken).payload.sub : undefined;
    const dpop = set.dpopKey && isDpopBound(set) ? { key: set.dpopKey } : undefined;
    return grants().fetchUserinfo(url, { ...this.deps.http(), signal: opts.signal }, set.accessToken, typeof sub === 'string' ? sub : undefined, dpop);
  }

  /** A fresh DPoP proof for a request to a resource with this token set's access token (RFC 9449 §7). */
  async dpopProof(tokenSetId: string, request: { method: string; url: string }): Promise<string> {
    const set = await this.getTokenSet(tokenSetId);
    if (!set.dpopKey || !isDpopBound(set)) throw invalidInput('tokenSetId', 'This token set is not DPoP-bound: its access token is a plain bearer token.');
    return grants().createDpopProof(set.dpopKey, { method: request.method.toUpperCase(), url: request.url, accessToken: set.accessToken }, this.now());
  }

  /** Whether the refresh action applies: a refresh token, or a client-credentials set to re-issue. */
  static canRefresh(info: Pick<TokenSetInfo, 'hasRefreshToken' | 'grant'>): boolean {
    return info.hasRefreshToken || info.grant === 'client_credentials';
  }

  static scopes(scope: string | undefined): string[] {
    return scopeList(scope);
  }
}

/** The token set with the DPoP key its tokens were requested with, when they are bound to it. */
function withDpopKey(set: TokenSet, call: OAuthCall): TokenSet {
  return call.dpop && isDpopBound(set) ? { ...set, dpopKey: call.dpop.key as Record<string, unknown> } : set;
}

/** Where to listen for the redirect: the app's loopback redirect URI (fixed port or any), or the default. */
export function loopbackPlan(redirectUri: string | undefined): { host: string; port: number; path: string } {
  if (!redirectUri) return { host: '127.0.0.1', port: 0, path: '/callback' };
  if (!isLoopbackRedirect(redirectUri)) {
    throw invalidInput(
      'redirectUri',
      `The application's redirect URI ${redirectUri} is not a loopback address, so VS Code cannot receive the sign-in. Use "Exchange authorization code" with the code from that page, or register http://127.0.0.1/callback.`,
    );
  }
  const u = new URL(redirectUri);
  // The URI keeps the registered spelling (servers compare it); for localhost the listener binds 127.0.0.1 and ::1.
  const host = u.hostname === 'localhost' ? 'localhost' : '127.0.0.1';
  return { host, port: u.port ? Number(u.port) : 0, path: u.pathname || '/callback' };
}
