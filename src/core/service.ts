/**
 * The token service: environments, applications and token sets, and every grant. Pure of `vscode`:
 * storage arrives as two small interfaces (a key-value state store for metadata, a secret store
 * for secrets), so the same code runs inside VS Code (globalState + SecretStorage) and in tests.
 *
 * Storage layout (keys are namespaced and versioned):
 *   state   pte.v1.environments            Environment[]
 *   state   pte.v1.applications            Application[]
 *   state   pte.v1.tokenIndex              TokenSetMeta[]   (no secrets: what the tree shows)
 *   secret  pte.v1.clientSecret/<appId>    the client secret
 *   secret  pte.v1.tokenSet/<tokenSetId>   JSON TokenSet (tokens and metadata, written in one go)
 */
import { Application, ApplicationInput, isLoopbackRedirect, validateApplication } from './application';
import type { AuthorizationRequest } from './authorize';
import type { Endpoints } from './endpoints';
import { differOnlyBySlash, unsupportedAuthMethod } from './serverMetadata';
import { Environment, EnvironmentInput, validateEnvironment } from './environment';
import { ExplorerError, invalidInput, isExplorerError } from './errors';
import type { HttpSettings } from './http';
import type { ClientCredentials, OAuthCall } from './oauth';
import { SingleFlight, Sequencer } from './sequencer';
import { Grant, TokenSet, TokenStatus, applyRefresh, scopeList, scopeWidening, tokenSetFromResponse, tokenStatus } from './tokenSet';
import type { JwksCache } from './verify';
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
}

/** What the tree and the public API see of a token set: no secrets. */
export type TokenSetInfo = Pick<TokenSet, 'id' | 'applicationId' | 'environmentId' | 'grant' | 'scope' | 'issuedAt' | 'expiresAt'> & {
  hasRefreshToken: boolean;
  hasIdToken: boolean;
  status: TokenStatus;
  /** Opted in to auto-refresh (effective only while the setting is on). */
  autoRefresh: boolean;
};

type TokenSetMeta = Omit<TokenSetInfo, 'status' | 'autoRefresh'> & { mark?: TokenSet['mark']; autoRefresh?: boolean };

export const KEYS = {
  environments: 'pte.v1.environments',
  applications: 'pte.v1.applications',
  tokenIndex: 'pte.v1.tokenIndex',
  clientSecret: (appId: string) => `pte.v1.clientSecret/${appId}`,
  tokenSet: (id: string) => `pte.v1.tokenSet/${id}`,
} as const;

/** Keys that may roam with Settings Sync: metadata without secrets or machine-local tokens. */
export const SYNCED_KEYS = [KEYS.environments, KEYS.applications];

export interface CallOptions {
  signal?: AbortSignal;
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class TokenService {
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly writes = new Sequencer();
  private readonly refreshes = new SingleFlight();
  private readonly endpointCache = new Map<string, Promise<Endpoints>>();
  private keySets: JwksCache | undefined;
  private readonly listeners = new Set<() => void>();
  /** Entries that could not be read, reported once per load; never hide the others. */
  readonly problems: string[] = [];

  constructor(private readonly deps: ServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
  }

  /** Key sets fetched for signature checks, cached per JWKS URL for this window. */
  get jwks(): JwksCache {
    return (this.keySets ??= new (grants().JwksCache)(this.deps.http));
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
    return parsed as unknown as TokenSet;
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

  async updateEnvironment(id: string, input: EnvironmentInput): Promise<Environment> {
    this.getEnvironment(id);
    const env = validateEnvironment(input, id);
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
    this.getEnvironment(environmentId);
    const app = validateApplication(input, { id: this.newId(), environmentId }, { hasStoredSecret: false });
    if (app.authMethod !== 'none' && input.clientSecret) await this.deps.secrets.store(KEYS.clientSecret(app.id), input.clientSecret);
    await this.updateList<Application>(KEYS.applications, (l) => [...l, app]);
    this.changed();
    return app;
  }

  /** Updates an application; a secret left out keeps the stored one. */
  async updateApplication(id: string, input: ApplicationInput): Promise<Application> {
    const existing = this.getApplication(id);
    const hasStoredSecret = (await this.deps.secrets.get(KEYS.clientSecret(id))) !== undefined;
    const app = validateApplication(input, { id, environmentId: existing.environmentId }, { hasStoredSecret });
    if (app.authMethod === 'none') await this.deps.secrets.delete(KEYS.clientSecret(id));
    else if (input.clientSecret) await this.deps.secrets.store(KEYS.clientSecret(id), input.clientSecret);
    await this.updateList<Application>(KEYS.applications, (l) => l.map((a) => (a.id === id ? app : a)));
    this.changed();
    return app;
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
    await this.deps.secrets.store(KEYS.clientSecret(applicationId), secret);
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
    const app = validateApplication(input, { id: existingId ?? this.newId(), environmentId }, { hasStoredSecret: true });
    if (app.authMethod === 'none') await this.deps.secrets.delete(KEYS.clientSecret(app.id));
    else if (input.clientSecret && !(await this.clientSecretMatches(app.id, input.clientSecret))) await this.deps.secrets.store(KEYS.clientSecret(app.id), input.clientSecret);
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
    return (await this.deps.secrets.get(KEYS.clientSecret(applicationId))) === secret;
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
    for (const t of this.readIndex().filter((t) => t.applicationId === appId)) {
      await this.deps.secrets.delete(KEYS.tokenSet(t.id));
    }
    await this.updateList<TokenSetMeta>(KEYS.tokenIndex, (l) => l.filter((t) => t.applicationId !== appId));
    await this.deps.secrets.delete(KEYS.clientSecret(appId));
    await this.updateList<Application>(KEYS.applications, (l) => l.filter((a) => a.id !== appId));
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

  /** Stores a token set: secrets first (one write), then the index entry that the tree reads. */
  private async saveTokenSet(set: TokenSet): Promise<TokenSetInfo> {
    await this.deps.secrets.store(KEYS.tokenSet(set.id), JSON.stringify(set));
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
      mark: set.mark,
    };
    await this.updateList<TokenSetMeta>(KEYS.tokenIndex, (l) =>
      l.some((t) => t.id === set.id) ? l.map((t) => (t.id === set.id ? { ...meta, autoRefresh: t.autoRefresh } : t)) : [...l, meta],
    );
    this.changed();
    return this.getTokenSetInfo(set.id);
  }

  // ---- endpoints and client ----------------------------------------------------------------------

  endpoints(environmentId: string, opts: CallOptions = {}): Promise<Endpoints> {
    const env = this.getEnvironment(environmentId);
    let p = this.endpointCache.get(env.id);
    if (!p) {
      p = grants()
        .resolveEndpoints(env, { ...this.deps.http(), signal: opts.signal })
        .then((endpoints) => this.adoptIssuer(env, endpoints));
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

  /** Endpoints already resolved in this window, without a request (for tooltips and warnings). */
  knownEndpoints(environmentId: string): Endpoints | undefined {
    return this.resolvedEndpoints.get(environmentId);
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

  private async call(app: Application, opts: CallOptions, endpoints?: Endpoints): Promise<OAuthCall> {
    const unsupported = endpoints && unsupportedAuthMethod(endpoints, app.authMethod);
    if (unsupported) throw invalidInput('authMethod', unsupported);
    const client: ClientCredentials = { clientId: app.clientId, authMethod: app.authMethod };
    if (app.authMethod !== 'none') client.clientSecret = await this.deps.secrets.get(KEYS.clientSecret(app.id));
    return { client, http: { ...this.deps.http(), signal: opts.signal } };
  }

  private requireEndpoint(endpoints: Endpoints, key: 'introspection' | 'revocation' | 'userinfo', label: string): string {
    const url = endpoints[key];
    if (!url) throw new ExplorerError('invalid_input', `The issuer ${endpoints.issuer} has no ${label} endpoint.`, { field: key });
    return url;
  }

  // ---- grants ----------------------------------------------------------------------------------

  private requireGrant(app: Application, grant: Grant): void {
    if (!(app.grants ?? []).includes(grant)) {
      const label = grant === 'client_credentials' ? 'the client-credentials grant' : 'authorization-code sign-in';
      throw invalidInput('grants', `The application "${app.name}" is not set up for ${label}: edit the application to enable it.`);
    }
  }

  async clientCredentials(applicationId: string, opts: CallOptions & { scope?: string } = {}): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    this.requireGrant(app, 'client_credentials');
    const scope = opts.scope ?? app.scopes;
    const endpoints = await this.endpoints(app.environmentId, opts);
    const response = await grants().clientCredentialsGrant(endpoints.token, await this.call(app, opts, endpoints), { scope });
    const set = tokenSetFromResponse(
      response,
      { id: this.newId(), applicationId: app.id, environmentId: app.environmentId },
      'client_credentials',
      this.now(),
      scope,
    );
    return this.saveTokenSet(set);
  }

  /** Exchanges a code obtained elsewhere (pasted, or from `signIn`). */
  async exchangeCode(
    applicationId: string,
    opts: CallOptions & { code: string; redirectUri: string; codeVerifier?: string; nonce?: string; scope?: string },
  ): Promise<TokenSetInfo> {
    const app = this.getApplication(applicationId);
    const endpoints = await this.endpoints(app.environmentId, opts);
    const call = await this.call(app, opts, endpoints);
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
      { id: this.newId(), applicationId: app.id, environmentId: app.environmentId },
      'authorization_code',
      this.now(),
      opts.scope,
    );
    return this.saveTokenSet(set);
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
    const listener = new (grants().LoopbackListener)(path);
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
      const request: AuthorizationRequest = grants().buildAuthorizationRequest(endpoints.authorization, {
        clientId: app.clientId,
        redirectUri,
        scope: opts.scope ?? app.scopes ?? 'openid',
      });
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
        result.respond({ ok: false, message: err instanceof Error ? err.message : String(err) });
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
   * Refresh. Concurrent callers share one request. The stored set is re-read first so a refresh
   * made meanwhile (another window) is built on, not replayed. Nothing is written unless the
   * response validated; `invalid_grant` marks the set "sign-in required" and keeps its tokens.
   * Client-credentials sets have no refresh token: they are re-issued in place.
   */
  refresh(tokenSetId: string, opts: CallOptions & { scope?: string } = {}): Promise<TokenSetInfo> {
    const key = `${tokenSetId}\u0000${opts.scope ?? ''}`;
    return this.refreshes.run(key, () => this.writes.queue(`tokenSet:${tokenSetId}`, () => this.doRefresh(tokenSetId, opts)));
  }

  private async doRefresh(tokenSetId: string, opts: CallOptions & { scope?: string }): Promise<TokenSetInfo> {
    const current = await this.getTokenSet(tokenSetId);
    const app = this.getApplication(current.applicationId);
    const widening = scopeWidening(current.scope, opts.scope);
    if (widening.length) {
      throw invalidInput(
        'scope',
        `A refresh can only keep or narrow the granted scope; ${widening.join(', ')} ${widening.length > 1 ? 'were' : 'was'} not granted. Sign in again to ask for more.`,
      );
    }
    const endpoints = await this.endpoints(app.environmentId, opts);
    const call = await this.call(app, opts, endpoints);
    const now = () => this.now();
    if (!current.refreshToken) {
      if (current.grant !== 'client_credentials') {
        throw new ExplorerError('invalid_input', 'This token set has no refresh token: sign in again.', { field: 'refreshToken' });
      }
      const scope = opts.scope ?? current.scope;
      const response = await grants().clientCredentialsGrant(endpoints.token, call, { scope });
      return this.saveTokenSet(applyRefresh(current, response, now(), scope));
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
      return await this.saveTokenSet(applyRefresh(current, response, now(), opts.scope));
    } catch (err) {
      if (isExplorerError(err, 'invalid_grant')) await this.saveTokenSet({ ...current, mark: 'sign-in-required' });
      throw err;
    }
  }

  /** Revokes the refresh token (which also ends its access tokens at most servers) and the access token. */
  async revoke(tokenSetId: string, opts: CallOptions = {}): Promise<TokenSetInfo> {
    return this.writes.queue(`tokenSet:${tokenSetId}`, async () => {
      const set = await this.getTokenSet(tokenSetId);
      const app = this.getApplication(set.applicationId);
      const endpoints = await this.endpoints(app.environmentId, opts);
      const url = this.requireEndpoint(endpoints, 'revocation', 'revocation');
      const call = await this.call(app, opts, endpoints);
      if (set.refreshToken) await grants().revokeToken(url, call, { token: set.refreshToken, hint: 'refresh_token' });
      await grants().revokeToken(url, call, { token: set.accessToken, hint: 'access_token' });
      return this.saveTokenSet({ ...set, mark: 'revoked' });
    });
  }

  async introspect(tokenSetId: string, opts: CallOptions & { token?: 'access_token' | 'refresh_token' } = {}): Promise<Record<string, unknown>> {
    const set = await this.getTokenSet(tokenSetId);
    const app = this.getApplication(set.applicationId);
    const endpoints = await this.endpoints(app.environmentId, opts);
    const url = this.requireEndpoint(endpoints, 'introspection', 'introspection');
    const which = opts.token ?? 'access_token';
    const token = which === 'refresh_token' ? set.refreshToken : set.accessToken;
    if (!token) throw invalidInput('token', 'This token set has no refresh token to introspect.');
    return grants().introspectToken(url, await this.call(app, opts, endpoints), { token, hint: which });
  }

  async userinfo(tokenSetId: string, opts: CallOptions = {}): Promise<Record<string, unknown>> {
    const set = await this.getTokenSet(tokenSetId);
    const app = this.getApplication(set.applicationId);
    if (set.grant === 'client_credentials') {
      throw invalidInput('tokenSetId', 'Userinfo needs a user\'s access token; this one came from the client-credentials grant.');
    }
    const endpoints = await this.endpoints(app.environmentId, opts);
    const url = this.requireEndpoint(endpoints, 'userinfo', 'userinfo');
    // The ID token of this set was validated when it arrived; userinfo must describe the same user.
    const sub = set.idToken ? decodeJwt(set.idToken).payload.sub : undefined;
    return grants().fetchUserinfo(url, { ...this.deps.http(), signal: opts.signal }, set.accessToken, typeof sub === 'string' ? sub : undefined);
  }

  /** Whether the refresh action applies: a refresh token, or a client-credentials set to re-issue. */
  static canRefresh(info: Pick<TokenSetInfo, 'hasRefreshToken' | 'grant'>): boolean {
    return info.hasRefreshToken || info.grant === 'client_credentials';
  }

  static scopes(scope: string | undefined): string[] {
    return scopeList(scope);
  }
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
  // The listener always binds 127.0.0.1; the URI keeps the registered spelling (servers compare it).
  const host = u.hostname === 'localhost' ? 'localhost' : '127.0.0.1';
  return { host, port: u.port ? Number(u.port) : 0, path: u.pathname || '/callback' };
}
