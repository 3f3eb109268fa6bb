/**
 * What TokenService does over the network: endpoint discovery, the client a call authenticates
 * with, every grant, sign-in, refresh, revocation, introspection, userinfo and DPoP proofs. It ships
 * with the grant code in dist/features.js and is loaded on the first such call (see `calls` in
 * service.ts); the service keeps the stores, the single flight and the cross-window lock, and
 * hands this class the parts of its state a call needs (ServiceCore).
 */
import { type Application, GRANT_LABELS, GRANT_TYPES, isLoopbackRedirect, usesSecret } from './application';
import type { AuthorizationRequest } from './authorize';
import { createAuthorizationRequest, planAuthorization, validateAuthorizationResponse } from './authorize';
import { bindingFor, checkBinding, decodeClientSecret, encodeClientSecret } from './binding';
import { activeKey, parseKeyRing } from './clientKeys';
import { createDpopProof, generateDpopKey } from './dpop';
import type { Endpoints } from './endpoints';
import type { Environment } from './environment';
import { ExplorerError, invalidInput, isExplorerError } from './errors';
import { flowsSignIn } from './flows';
import { resolveEndpoints } from './grants';
import { pollCibaToken, requestBackchannelAuthentication } from './grants/ciba';
import { pollDeviceToken, requestDeviceAuthorization, type UserCodeInfo } from './grants/deviceCode';
import { PINGONE_PASSWORD_EXPLANATION, passwordGrant as passwordGrantRequest } from './grants/password';
import { type PollClock, systemClock } from './grants/polling';
import { TOKEN_TYPES, tokenExchangeGrant } from './grants/tokenExchange';
import { decodeJwt } from './jwt';
import { LoopbackListener } from './loopback';
import { authorizationCodeGrant, clientCredentialsGrant, fetchUserinfo, introspectToken, refreshTokenGrant, revokeToken } from './oauth';
import type { ClientCredentials, OAuthCall, TokenResponse } from './oauth';
import { SECRET_ENDPOINTS, foreignOrigins } from './origins';
import { rememberSecrets } from './redact';
import { differOnlyBySlash, unsupportedAuthMethod, unsupportedGrant } from './serverMetadata';
import {
  type BackchannelOptions,
  type CallOptions,
  KEYS,
  type RefreshOptions,
  type ServiceCore,
  type SignInOptions,
  type TokenExchangeOptions,
  type TokenService,
  type TokenSetInfo,
  discoveryId,
} from './service';
import { type Grant, type TokenSet, applyRefresh, isDpopBound, sameVersion, scopeWidening, tokenSetFromResponse } from './tokenSet';
import { checkRefreshedIdToken, validateIdToken } from './verify';

export class TokenCalls {
  constructor(
    private readonly service: TokenService,
    private readonly core: ServiceCore,
  ) {}

  // ---- endpoints and client ----------------------------------------------------------------------

  endpoints(environmentId: string, opts: CallOptions = {}): Promise<Endpoints> {
    const env = this.service.getEnvironment(environmentId);
    let p = this.core.endpointCache.get(env.id);
    if (!p) {
      // Discovered by another window or before a restart, and still fresh: no request.
      const kept = this.core.discovered.get(discoveryId(env));
      if (kept) this.core.keptEndpoints.add(kept);
      p = (
        kept
          ? Promise.resolve(kept)
          : resolveEndpoints(env, { ...this.core.deps.http(), signal: opts.signal }).then(async (e) => {
              if (e.source === 'discovery') await this.core.discovered.put(discoveryId(env), e, e.maxAgeMs ?? 0).then(undefined, () => undefined);
              return e;
            })
      ).then((e) => this.adoptIssuer(env, e));
      this.core.endpointCache.set(env.id, p);
      const settled = p;
      // A failed resolution is not cached: the next call tries again.
      settled.then(
        (endpoints) => {
          this.core.resolvedEndpoints.set(env.id, endpoints);
          // The tree shows a warning on applications whose auth method the server does not list.
          if (this.service.listApplications(env.id).some((a) => this.service.authMethodWarning(a))) this.core.changed();
        },
        () => this.core.endpointCache.get(env.id) === settled && this.core.endpointCache.delete(env.id),
      );
    }
    return p;
  }

  /**
   * The server's issuer differs from the stored one only by a trailing slash (as entered, or as
   * earlier versions stored it): it is the real identifier, so the environment takes it and the
   * user is told. Any other difference was refused by discovery.
   */
  private async adoptIssuer(env: Environment, endpoints: Endpoints): Promise<Endpoints> {
    if (!differOnlyBySlash(endpoints.issuer, env.issuer)) return endpoints;
    await this.core.updateList<Environment>(KEYS.environments, (l) => l.map((e) => (e.id === env.id ? { ...e, issuer: endpoints.issuer } : e)));
    this.core.report(`Environment "${env.name}": the server's issuer is "${endpoints.issuer}", so the environment now uses it (it was "${env.issuer}").`);
    this.core.changed();
    return endpoints;
  }

  /**
   * A request to endpoints kept from an earlier discovery (another window, before a restart) failed
   * without an OAuth answer: discover once more. Returns the new endpoints when the token endpoint
   * moved (the caller may then retry once), else undefined (the caller reports its error).
   */
  private async rediscoverAfterFailure(environmentId: string, used: Endpoints, err: unknown, opts: CallOptions): Promise<Endpoints | undefined> {
    if (!this.core.keptEndpoints.has(used) || !(isExplorerError(err, 'network') || isExplorerError(err, 'http_error'))) return undefined;
    this.core.keptEndpoints.delete(used);
    this.core.endpointCache.delete(environmentId);
    await this.core.discovered.delete(discoveryId(this.service.getEnvironment(environmentId))).then(undefined, () => undefined);
    const fresh = await this.endpoints(environmentId, opts).catch(() => undefined);
    return fresh && fresh.token !== used.token ? fresh : undefined;
  }

  /**
   * What every client-authenticated call needs. DPoP: `dpopKey` is the key a stored set is bound
   * to; `newSet` makes one for a DPoP application's new token set. Other calls (revocation,
   * introspection, PAR) carry no proof and get no key.
   */
  private async call(app: Application, opts: CallOptions, endpoints?: Endpoints, dpop: { dpopKey?: Record<string, unknown>; newSet?: boolean } = {}): Promise<OAuthCall> {
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
      const ring = parseKeyRing(await this.core.deps.secrets.get(KEYS.clientKey(app.id)));
      client.privateKey = activeKey(ring)?.privateJwk;
    }
    const key = dpop.dpopKey ?? (dpop.newSet && app.dpop ? await generateDpopKey() : undefined);
    return { client, http: { ...this.core.deps.http(), signal: opts.signal }, ...(key ? { dpop: { key } } : {}) };
  }

  /** The client secret, only if it belongs to the environment's issuer and token endpoint as they are now (core/binding). */
  private async boundSecret(app: Application, opts: CallOptions): Promise<string | undefined> {
    const raw = await this.core.deps.secrets.get(KEYS.clientSecret(app.id));
    if (raw === undefined) return undefined;
    const env = this.service.getEnvironment(app.environmentId);
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
    const raw = await this.core.deps.secrets.get(KEYS.clientSecret(app.id));
    if (raw === undefined) return;
    const { secret, binding } = decodeClientSecret(raw);
    if (binding?.tokenOrigin) return;
    const bound = bindingFor(this.service.getEnvironment(app.environmentId), tokenEndpoint);
    await this.core.deps.secrets.store(KEYS.clientSecret(app.id), encodeClientSecret(secret, bound));
  }

  private readonly originQuestions = new Map<string, Promise<void>>();

  /** The endpoints, once the user accepted (once per issuer and origin) any other origin they point secrets and tokens to. */
  private async acceptedEndpoints(env: Environment, opts: CallOptions): Promise<Endpoints> {
    const endpoints = await this.endpoints(env.id, opts);
    const accepted = new Set(this.core.deps.state.get<string[]>(KEYS.acceptedOrigins) ?? []);
    const open = foreignOrigins(endpoints, SECRET_ENDPOINTS).filter((f) => !accepted.has(`${env.issuer} ${f.origin}`));
    if (!open.length || !this.core.deps.confirmOrigins) return endpoints;
    const key = `${env.issuer} ${open.map((f) => f.origin).join(' ')}`;
    let question = this.originQuestions.get(key);
    if (!question) {
      question = (async () => {
        if (!(await this.core.deps.confirmOrigins?.(env, open))) throw new ExplorerError('cancelled', 'Nothing was sent: the other host was not accepted.');
        const pairs = [...new Set([...(this.core.deps.state.get<string[]>(KEYS.acceptedOrigins) ?? []), ...open.map((f) => `${env.issuer} ${f.origin}`)])];
        await this.core.deps.state.update(KEYS.acceptedOrigins, pairs);
      })().finally(() => this.originQuestions.delete(key));
      this.originQuestions.set(key, question);
    }
    await question;
    return endpoints;
  }

  private bindingNow(app: Application, endpoints: Endpoints) {
    return bindingFor(this.service.getEnvironment(app.environmentId), endpoints.token);
  }

  /** A stored token set, only if it belongs to its environment's issuer and token endpoint as they are now. */
  private async boundTokenSet(id: string, opts: CallOptions): Promise<TokenSet> {
    const set = await this.service.getTokenSet(id);
    const env = this.service.getEnvironment(set.environmentId);
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
    const app = this.service.getApplication(applicationId);
    this.requireGrant(app, 'client_credentials');
    const scope = opts.scope ?? app.scopes;
    const endpoints = await this.endpoints(app.environmentId, opts);
    const call = await this.call(app, opts, endpoints, { newSet: true });
    const response = await clientCredentialsGrant(endpoints.token, call, { scope }).catch(async (err: unknown) => {
      const moved = await this.rediscoverAfterFailure(app.environmentId, endpoints, err, opts);
      if (!moved) throw err;
      return clientCredentialsGrant(moved.token, { ...call, client: { ...call.client, tokenEndpoint: moved.token } }, { scope });
    });
    const set = tokenSetFromResponse(
      response,
      { id: this.core.newId(), applicationId: app.id, environmentId: app.environmentId, ...this.bindingNow(app, endpoints) },
      'client_credentials',
      this.core.now(),
      scope,
    );
    await this.pinSecret(app, endpoints.token);
    return this.core.saveTokenSet(withDpopKey(set, call));
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
      await validateIdToken(
        response.idToken,
        { issuer: endpoints.issuer, clientId: app.clientId, clientSecret: call.client.clientSecret, jwksUrl: endpoints.jwks, now: this.core.now() },
        this.service.jwks,
      );
    }
    const ids = { id: this.core.newId(), applicationId: app.id, environmentId: app.environmentId, ...this.bindingNow(app, endpoints) };
    await this.pinSecret(app, endpoints.token);
    return this.core.saveTokenSet(withDpopKey({ ...tokenSetFromResponse(response, ids, grant, this.core.now(), scope), ...extra }, call));
  }

  private pollClock(): PollClock {
    return { now: this.core.now, sleep: this.core.deps.sleep ?? systemClock.sleep };
  }

  /**
   * Device authorization (RFC 8628): get a user code, hand it to `onUserCode` (the caller shows it),
   * then poll until the user approves on another device, denies, the code expires or `signal` aborts.
   */
  async deviceAuthorization(applicationId: string, opts: CallOptions & { scope?: string; onUserCode: (info: UserCodeInfo) => void }): Promise<TokenSetInfo> {
    const app = this.service.getApplication(applicationId);
    const { endpoints, call } = await this.grantCall(app, 'device_code', opts);
    if (!endpoints.deviceAuthorization) {
      throw invalidInput('deviceAuthorization', `The issuer ${endpoints.issuer} has no device authorization endpoint (its discovery lists none).`);
    }
    const scope = opts.scope ?? app.scopes;
    const authorization = await requestDeviceAuthorization(endpoints.deviceAuthorization, call, { scope, now: this.core.now() });
    const { deviceCode: _credential, ...shown } = authorization;
    opts.onUserCode(shown);
    const response = await pollDeviceToken(endpoints.token, call, authorization, { clock: this.pollClock(), signal: opts.signal });
    return this.storeIssued(app, endpoints, call, response, 'device_code', scope);
  }

  /**
   * CIBA poll mode: ask the user (named by exactly one hint; `idTokenHintTokenSetId` uses a stored
   * set's ID token) to approve on their own device, then poll as the device grant does.
   */
  async backchannelAuthentication(applicationId: string, opts: CallOptions & BackchannelOptions): Promise<TokenSetInfo> {
    const app = this.service.getApplication(applicationId);
    let idTokenHint: string | undefined;
    if (opts.idTokenHintTokenSetId) {
      idTokenHint = (await this.service.getTokenSet(opts.idTokenHintTokenSetId)).idToken;
      if (!idTokenHint) throw invalidInput('idTokenHintTokenSetId', 'That token set has no ID token to name the user with: choose a set from a sign-in.');
    }
    const { endpoints, call } = await this.grantCall(app, 'ciba', opts);
    if (!endpoints.backchannelAuthentication) {
      throw invalidInput('backchannelAuthentication', `The issuer ${endpoints.issuer} has no backchannel authentication endpoint (its discovery lists none).`);
    }
    const scope = opts.scope ?? app.scopes;
    const request = { loginHint: opts.loginHint, idTokenHint, loginHintToken: opts.loginHintToken, bindingMessage: opts.bindingMessage, scope };
    const authorization = await requestBackchannelAuthentication(endpoints.backchannelAuthentication, call, { ...request, now: this.core.now() });
    opts.onRequest?.({ expiresAt: authorization.expiresAt, interval: authorization.interval });
    const response = await pollCibaToken(endpoints.token, call, authorization, { clock: this.pollClock(), signal: opts.signal });
    return this.storeIssued(app, endpoints, call, response, 'ciba', scope);
  }

  /**
   * Resource-owner password grant. The password is used for this one request and never stored.
   * PingOne has no such grant: a PingOne environment gets the explanation (and the flows-API
   * alternative) before any request.
   */
  async passwordGrant(applicationId: string, opts: CallOptions & { username: string; password: string; scope?: string }): Promise<TokenSetInfo> {
    const app = this.service.getApplication(applicationId);
    if (this.service.getEnvironment(app.environmentId).kind === 'pingone') {
      throw new ExplorerError('unsupported_grant_type', PINGONE_PASSWORD_EXPLANATION);
    }
    const { endpoints, call } = await this.grantCall(app, 'password', opts);
    const scope = opts.scope ?? app.scopes;
    const response = await passwordGrantRequest(endpoints.token, call, { username: opts.username, password: opts.password, scope });
    return this.storeIssued(app, endpoints, call, response, 'password', scope);
  }

  /**
   * Token exchange (RFC 8693): the subject set's access token (or ID token), optionally with an
   * actor set's access token, for a new token set linked to its subject. A public application is
   * refused before any request.
   */
  async tokenExchange(applicationId: string, opts: CallOptions & TokenExchangeOptions): Promise<TokenSetInfo> {
    const app = this.service.getApplication(applicationId);
    this.requireGrant(app, 'token_exchange');
    if (app.authMethod === 'none') {
      throw invalidInput('authMethod', `Token exchange needs a confidential application; "${app.name}" is public (auth method none). Edit it to use a client secret.`);
    }
    const subject = await this.service.getTokenSet(opts.subjectTokenSetId);
    const which = opts.subjectToken ?? 'access_token';
    const subjectToken = which === 'id_token' ? subject.idToken : subject.accessToken;
    if (!subjectToken) throw invalidInput('subjectToken', 'The subject token set has no ID token: exchange its access token, or choose a set from a sign-in.');
    const actor = opts.actorTokenSetId ? await this.service.getTokenSet(opts.actorTokenSetId) : undefined;
    const { endpoints, call } = await this.grantCall(app, 'token_exchange', opts);
    const types = TOKEN_TYPES;
    const response = await tokenExchangeGrant(endpoints.token, call, {
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
    const app = this.service.getApplication(applicationId);
    const endpoints = await this.endpoints(app.environmentId, opts);
    const call = await this.call(app, opts, endpoints, { newSet: true });
    const response = await authorizationCodeGrant(endpoints.token, call, opts);
    if (response.idToken) {
      await validateIdToken(
        response.idToken,
        { issuer: endpoints.issuer, clientId: app.clientId, clientSecret: call.client.clientSecret, nonce: opts.nonce, jwksUrl: endpoints.jwks, now: this.core.now() },
        this.service.jwks,
      );
    }
    const set = tokenSetFromResponse(
      response,
      { id: this.core.newId(), applicationId: app.id, environmentId: app.environmentId, ...this.bindingNow(app, endpoints) },
      'authorization_code',
      this.core.now(),
      opts.scope,
    );
    await this.pinSecret(app, endpoints.token);
    return this.core.saveTokenSet(withDpopKey(set, call));
  }

  /**
   * Authorization code + PKCE through a one-shot loopback listener. The listener is closed in
   * every outcome: success, error response, wrong state, time-out, cancellation.
   */
  async signIn(applicationId: string, opts: SignInOptions): Promise<TokenSetInfo> {
    const app = this.service.getApplication(applicationId);
    this.requireGrant(app, 'authorization_code');
    const { host, port, path } = loopbackPlan(app.redirectUri);
    const endpoints = await this.endpoints(app.environmentId, opts);
    const listener = new LoopbackListener(path, host === 'localhost' ? 'localhost' : '127.0.0.1');
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
      const request: AuthorizationRequest = await createAuthorizationRequest(endpoints, await this.call(app, opts, endpoints), {
        clientId: app.clientId,
        redirectUri,
        scope: opts.scope ?? app.scopes ?? 'openid',
        plan: planAuthorization(app, endpoints),
        now: this.core.now(),
      });
      listener.expect(request.state, [new URL(localRedirectUri).host, new URL(redirectUri).host]);
      await opts.openExternal(request.url);
      const result = await listener.wait();
      try {
        const code = validateAuthorizationResponse(result.params, {
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
  async signInWithPassword(applicationId: string, opts: CallOptions & { username: string; password: string; scope?: string }): Promise<TokenSetInfo> {
    const app = this.service.getApplication(applicationId);
    this.requireGrant(app, 'authorization_code');
    const endpoints = await this.endpoints(app.environmentId, opts);
    const redirectUri = app.redirectUri ?? 'http://127.0.0.1/callback';
    const scope = opts.scope ?? app.scopes ?? 'openid';
    const plan = planAuthorization(app, endpoints);
    const { code, request } = await flowsSignIn(endpoints, {
      clientId: app.clientId,
      redirectUri,
      scope,
      username: opts.username,
      password: opts.password,
      http: { ...this.core.deps.http(), signal: opts.signal },
      // The same decision as the browser sign-in: PAR and JAR when the application needs them.
      authorization: plan.par || plan.jar ? { call: await this.call(app, opts, endpoints), plan, now: this.core.now() } : undefined,
    });
    return this.exchangeCode(app.id, { code, redirectUri, codeVerifier: request.pkce.verifier, nonce: request.nonce, scope, signal: opts.signal });
  }

  /**
   * Refresh. Concurrent callers in this window share one request; windows take turns through the
   * cross-window lock. Under the lock the stored set is read again: if another window refreshed it
   * since this caller started (a different refresh token or issue time), that result is returned
   * without a request, so a rotated refresh token is never replayed. Nothing is written unless the

  /** Whether the stored set is already what the caller wanted: refreshed elsewhere since it started, or not due yet. */
  private refreshedElsewhere(stored: TokenSet, startedFrom: TokenSet, opts: RefreshOptions): boolean {
    if (!sameVersion(stored, startedFrom)) return true;
    const lead = opts.onlyIfExpiringWithinMs;
    return lead !== undefined && !stored.mark && stored.expiresAt !== undefined && stored.expiresAt - lead > this.core.now();
  }

  /**
   * Writes `next`, computed from `basis`, only while the stored set is still `basis` (same refresh
   * token and issue time). Otherwise another window moved it on: the stored set stands and is returned.
   */
  private async commitTokenSet(basis: TokenSet, next: TokenSet): Promise<TokenSetInfo> {
    const stored = await this.service.getTokenSet(basis.id);
    if (!sameVersion(stored, basis)) return this.core.saveTokenSet(stored, true);
    return this.core.saveTokenSet(next);
  }

  /**
   * The refresh itself, run by TokenService.refresh in the set's write queue while it holds the
   * cross-window lock; `startedFrom` is the set as the caller found it before waiting for the lock.
   */
  async refresh(tokenSetId: string, opts: RefreshOptions, startedFrom: TokenSet): Promise<TokenSetInfo> {
    const current = await this.boundTokenSet(tokenSetId, opts);
    if (this.refreshedElsewhere(current, startedFrom, opts)) return this.core.saveTokenSet(current, true);
    const app = this.service.getApplication(current.applicationId);
    const widening = scopeWidening(current.scope, opts.scope);
    if (widening.length) {
      throw invalidInput(
        'scope',
        `A refresh can only keep or narrow the granted scope; ${widening.join(', ')} ${widening.length > 1 ? 'were' : 'was'} not granted. Sign in again to ask for more.`,
      );
    }
    const endpoints = await this.endpoints(app.environmentId, opts);
    const call = await this.call(app, opts, endpoints, { dpopKey: current.dpopKey });
    const now = () => this.core.now();
    if (!current.refreshToken) {
      if (current.grant !== 'client_credentials') {
        throw new ExplorerError('invalid_input', 'This token set has no refresh token: sign in again.', { field: 'refreshToken' });
      }
      const scope = opts.scope ?? current.scope;
      const response = await clientCredentialsGrant(endpoints.token, call, { scope });
      return this.commitTokenSet(current, applyRefresh(current, response, now(), scope));
    }
    try {
      const response = await refreshTokenGrant(endpoints.token, call, { refreshToken: current.refreshToken, scope: opts.scope });
      if (response.idToken) {
        const claims = await validateIdToken(
          response.idToken,
          { issuer: endpoints.issuer, clientId: app.clientId, clientSecret: call.client.clientSecret, jwksUrl: endpoints.jwks, now: now() },
          this.service.jwks,
        );
        if (current.idToken) checkRefreshedIdToken(decodeJwt(current.idToken).payload, claims);
      }
      return await this.commitTokenSet(current, applyRefresh(current, response, now(), opts.scope));
    } catch (err) {
      if (isExplorerError(err, 'invalid_grant')) {
        // Refused because another window rotated the token meanwhile? Then its tokens are the answer.
        const stored = await this.service.getTokenSet(tokenSetId);
        if (!sameVersion(stored, current)) return this.core.saveTokenSet(stored, true);
        await this.core.saveTokenSet({ ...stored, mark: 'sign-in-required' });
      }
      throw err;
    }
  }

  /**
   * Revokes the refresh token (which also ends its access tokens at most servers) and the access
   * token. The service runs this in the token set's write queue, holding its cross-window lock.
   */
  async revoke(tokenSetId: string, opts: CallOptions = {}): Promise<TokenSetInfo> {
    let set = await this.boundTokenSet(tokenSetId, opts);
    // Tokens that changed while they were being revoked (another window) are revoked too, once.
    for (let attempt = 1; ; attempt++) {
      const app = this.service.getApplication(set.applicationId);
      const endpoints = await this.endpoints(app.environmentId, opts);
      const url = this.requireEndpoint(endpoints, 'revocation', 'revocation');
      const call = await this.call(app, opts, endpoints);
      if (set.refreshToken) await revokeToken(url, call, { token: set.refreshToken, hint: 'refresh_token' });
      await revokeToken(url, call, { token: set.accessToken, hint: 'access_token' });
      const stored = await this.service.getTokenSet(tokenSetId);
      if (sameVersion(stored, set)) return this.core.saveTokenSet({ ...stored, mark: 'revoked' });
      if (attempt === 2) throw new ExplorerError('conflict', 'The tokens changed in another window while they were being revoked: revoke them again.');
      set = stored;
    }
  }

  async introspect(tokenSetId: string, opts: CallOptions & { token?: 'access_token' | 'refresh_token' } = {}): Promise<Record<string, unknown>> {
    const set = await this.boundTokenSet(tokenSetId, opts);
    const app = this.service.getApplication(set.applicationId);
    const endpoints = await this.endpoints(app.environmentId, opts);
    const url = this.requireEndpoint(endpoints, 'introspection', 'introspection');
    const which = opts.token ?? 'access_token';
    const token = which === 'refresh_token' ? set.refreshToken : set.accessToken;
    if (!token) throw invalidInput('token', 'This token set has no refresh token to introspect.');
    return introspectToken(url, await this.call(app, opts, endpoints), { token, hint: which });
  }

  async userinfo(tokenSetId: string, opts: CallOptions = {}): Promise<Record<string, unknown>> {
    const set = await this.boundTokenSet(tokenSetId, opts);
    const app = this.service.getApplication(set.applicationId);
    if (set.grant === 'client_credentials') {
      throw invalidInput('tokenSetId', "Userinfo needs a user's access token; this one came from the client-credentials grant.");
    }
    const endpoints = await this.endpoints(app.environmentId, opts);
    const url = this.requireEndpoint(endpoints, 'userinfo', 'userinfo');
    // The ID token of this set was validated when it arrived; userinfo must describe the same user.
    const sub = set.idToken ? decodeJwt(set.idToken).payload.sub : undefined;
    const dpop = set.dpopKey && isDpopBound(set) ? { key: set.dpopKey } : undefined;
    return fetchUserinfo(url, { ...this.core.deps.http(), signal: opts.signal }, set.accessToken, typeof sub === 'string' ? sub : undefined, dpop);
  }

  /** A fresh DPoP proof for a request to a resource with this token set's access token (RFC 9449 §7). */
  async dpopProof(tokenSetId: string, request: { method: string; url: string }): Promise<string> {
    const set = await this.service.getTokenSet(tokenSetId);
    if (!set.dpopKey || !isDpopBound(set)) throw invalidInput('tokenSetId', 'This token set is not DPoP-bound: its access token is a plain bearer token.');
    return createDpopProof(set.dpopKey, { method: request.method.toUpperCase(), url: request.url, accessToken: set.accessToken }, this.core.now());
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
