/**
 * The public API returned by `activate()`. Other extensions (and our integration tests) use it:
 *   const api = await vscode.extensions.getExtension('pingone-tools.pingone-token-explorer')!.activate();
 * Stable within `apiVersion`; documented in the README. Errors thrown carry a `code` (see core/errors).
 */
import vscode = require('vscode');
import type { Application, ApplicationInput } from './core/application';
import type { EnvironmentInput, EnvironmentKind, Region } from './core/environment';
import { decodeJwt } from './core/jwt';
import type { AuthMethod } from './core/oauth';
import type { TokenAccessGate } from './core/consent';
import type { TokenExchangeOptions, TokenService, TokenSetInfo } from './core/service';
import type { UserCodeInfo } from './core/grants/deviceCode';
import type { Grant } from './core/tokenSet';
import type { PlanPreview, Skipped } from './core/import';
import type { RemoteApplication, RemoteEnvironment, SyncResult } from './core/management';
import type { Pinned } from './integrations/pinned';
import { type AccessToken, type AccessTokenRequest, freshAccessToken } from './integrations/tokenAccess';

export type { RemoteApplication, RemoteEnvironment, SyncResult };

/** The importers ship in dist/features.js and load on first use (esbuild keeps this require lazy). */
let featuresModule: typeof import('./features') | undefined;
const features = () => (featuresModule ??= require('./features') as typeof import('./features'));

export type { TokenExchangeOptions, TokenSetInfo, UserCodeInfo };

export interface DeviceAuthorizationOptions {
  scope?: string;
  /** Receives the user code and where to enter it; without it, a notification shows them. */
  onUserCode?: (info: UserCodeInfo) => void;
}

export interface EnvironmentInfo {
  id: string;
  name: string;
  kind: EnvironmentKind;
  issuer: string;
  region?: Region;
  environmentId?: string;
  authBaseUrl?: string;
  apiBaseUrl?: string;
  /** 'workspace' for entries from .vscode/pingone.json. */
  origin?: 'workspace';
}

export interface ApplicationInfo {
  id: string;
  environmentId: string;
  name: string;
  clientId: string;
  authMethod: AuthMethod;
  grants: Grant[];
  scopes?: string;
  redirectUri?: string;
  hasSecret: boolean;
  /** private_key_jwt: the `kid` of the key the application signs with. Never the key itself. */
  keyId?: string;
  /** JWT client authentication and signed request objects: the algorithm. */
  signingAlg?: string;
  assertionAudience?: 'token_endpoint' | 'issuer';
  pushedAuthorization: 'auto' | 'always' | 'never';
  requestObject: 'auto' | 'always' | 'never';
  /** New token sets are DPoP-bound (RFC 9449). */
  dpop: boolean;
  /** 'workspace' for entries from .vscode/pingone.json. */
  origin?: 'workspace';
  /** After a tenant import: why the secret was not imported (the missing permission). */
  secretProblem?: string;
}

/** What an import created or reused (or, for a preview, would): never a secret. */
export interface ImportResult {
  environments: EnvironmentInfo[];
  applications: ApplicationInfo[];
  skipped: Skipped[];
}

export interface CurlImportResult {
  environment: EnvironmentInfo;
  application: ApplicationInfo;
  /** The command's grant_type ('client_credentials', 'refresh_token', …). */
  grant: string;
  warnings: string[];
}

export interface Tokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  tokenType: string;
  scope?: string;
  expiresAt?: number;
}

export interface PingOneTokenExplorerApi {
  readonly apiVersion: 1;
  readonly onDidChange: vscode.Event<void>;
  addEnvironment(input: EnvironmentInput): Promise<EnvironmentInfo>;
  listEnvironments(): EnvironmentInfo[];
  removeEnvironment(id: string): Promise<void>;
  addApplication(environmentId: string, input: ApplicationInput): Promise<ApplicationInfo>;
  listApplications(environmentId?: string): Promise<ApplicationInfo[]>;
  removeApplication(id: string): Promise<void>;
  /** Changes some fields of an application; a secret or key left out keeps the stored one. */
  updateApplication(id: string, patch: Partial<ApplicationInput>): Promise<ApplicationInfo>;
  /** private_key_jwt: the public JWKS to register for the application in the tenant (public parts only). */
  getPublicJwks(applicationId: string): Promise<{ keys: Array<Record<string, unknown>> }>;
  /** private_key_jwt: a new signing key; the old public key stays in the JWKS until removeKey. Returns the new public JWK. */
  rotateKey(applicationId: string, options?: { signingAlg?: string }): Promise<Record<string, unknown>>;
  removeKey(applicationId: string, kid: string): Promise<void>;
  clientCredentials(applicationId: string, options?: { scope?: string }): Promise<TokenSetInfo>;
  signIn(applicationId: string, options?: { scope?: string; openExternal?: (url: string) => PromiseLike<unknown> }): Promise<TokenSetInfo>;
  signInWithPassword(applicationId: string, options: { username: string; password: string; scope?: string }): Promise<TokenSetInfo>;
  exchangeCode(applicationId: string, options: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSetInfo>;
  /** RFC 8628: polls until the user approves on another device; rejects with access_denied, expired_token or cancelled. */
  deviceAuthorization(applicationId: string, options?: DeviceAuthorizationOptions): Promise<TokenSetInfo>;
  /** RFC 6749 §4.3 (PingFederate, or an issuer whose discovery lists `password`); the password is not stored. */
  passwordGrant(applicationId: string, options: { username: string; password: string; scope?: string }): Promise<TokenSetInfo>;
  /** RFC 8693: a stored set's access (or ID) token, optionally with an actor set's access token, for a new set linked to its subject. */
  tokenExchange(applicationId: string, options: TokenExchangeOptions): Promise<TokenSetInfo>;
  /** CIBA poll mode: exactly one of loginHint, idTokenHintTokenSetId, loginHintToken; polls until the user approves on their device. */
  backchannelAuthentication(
    applicationId: string,
    options: { loginHint?: string; idTokenHintTokenSetId?: string; loginHintToken?: string; bindingMessage?: string; scope?: string },
  ): Promise<TokenSetInfo>;
  refresh(tokenSetId: string, options?: { scope?: string }): Promise<TokenSetInfo>;
  revoke(tokenSetId: string): Promise<TokenSetInfo>;
  introspect(tokenSetId: string, options?: { token?: 'access_token' | 'refresh_token' }): Promise<Record<string, unknown>>;
  userinfo(tokenSetId: string): Promise<Record<string, unknown>>;
  deleteTokenSet(tokenSetId: string): Promise<void>;
  listTokenSets(applicationId?: string): TokenSetInfo[];
  getTokens(tokenSetId: string): Promise<Tokens>;
  /** A fresh DPoP proof for a request with a DPoP-bound token set's access token (send it as the `DPoP` header). */
  dpopProof(tokenSetId: string, request: { method: string; url: string }): Promise<string>;
  decode(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> };
  inspect(tokenSetIdOrJwt: string): Promise<void>;
  /** What importing a Postman environment file would create, reuse and skip; writes nothing. */
  previewPostmanEnvironment(json: string): Promise<ImportResult>;
  /** Imports a Postman environment file: environments and applications, secrets into SecretStorage. Importing twice does not duplicate. */
  importPostmanEnvironment(json: string): Promise<ImportResult>;
  /** Imports the environment and application of a curl command (or a bare token URL with its parameters in the query). */
  importCurl(command: string): Promise<CurlImportResult>;
  /** The environments a PingOne worker application can see, each with its applications (every page). */
  browseTenant(workerApplicationId: string): Promise<{ environments: RemoteEnvironment[] }>;
  /** Imports applications of one tenant environment, with their secrets unless `withSecrets: false`. */
  importApplications(workerApplicationId: string, request: { environmentId: string; applicationIds: string[]; withSecrets?: boolean }): Promise<ApplicationInfo[]>;
  /** Re-reads an imported application from its tenant and applies what changed (auth method, grants, redirect URI, a rotated secret). */
  syncApplication(applicationId: string): Promise<SyncResult>;
  /** A fresh access token: the named token set, or the newest usable one of the application (and scope); refreshed first if it expires within minValiditySeconds (default 60). */
  getAccessToken(request?: AccessTokenRequest): Promise<AccessToken>;
  /** The token set used by ${command:pingone.accessToken} and new terminals; undefined unpins. */
  pin(tokenSetId: string | undefined): Promise<void>;
  pinned(): string | undefined;
}

export interface ApiDeps {
  service: TokenService;
  onDidChange: vscode.Event<void>;
  /** Interactive sign-in with progress and the default browser (used when no openExternal is given). */
  signIn(applicationId: string, options: { scope?: string; openExternal?: (url: string) => PromiseLike<unknown> }): Promise<TokenSetInfo>;
  inspect(tokenSetIdOrJwt: string): Promise<void>;
  /** Consent (`pingone.api.tokenAccess`) before tokens of an application are handed out or minted; throws `access_denied`. */
  tokenAccess: TokenAccessGate;
  /** Device authorization with a cancellable progress (and the user-code notification unless onUserCode is given). */
  deviceAuthorization(applicationId: string, options: DeviceAuthorizationOptions): Promise<TokenSetInfo>;
  pinned: Pinned;
}

export function environmentInfo(e: EnvironmentInfo): EnvironmentInfo {
  const { id, name, kind, issuer, region, environmentId, authBaseUrl, apiBaseUrl, origin } = e;
  return { id, name, kind, issuer, region, environmentId, authBaseUrl, ...(apiBaseUrl ? { apiBaseUrl } : {}), ...(origin ? { origin } : {}) };
}

export function createApi(deps: ApiDeps): PingOneTokenExplorerApi {
  const { service } = deps;
  /** Asks (or refuses) before a grant or getTokens for this application: tokens would reach the caller. */
  const consent = (applicationId: string) => {
    const app = service.getApplication(applicationId);
    const environment = service.listEnvironments().find((e) => e.id === app.environmentId)?.name ?? app.environmentId;
    return deps.tokenAccess.check({ applicationId, application: app.name, environment });
  };
  const consentForSet = (tokenSetId: string) => consent(service.getTokenSetInfo(tokenSetId).applicationId);
  /** What the API shows of an application (stored, or as an import preview would create it): never a secret. */
  const applicationInfo = (a: Application, hasSecret: boolean): ApplicationInfo => ({
    id: a.id,
    environmentId: a.environmentId,
    name: a.name,
    clientId: a.clientId,
    authMethod: a.authMethod,
    grants: a.grants,
    scopes: a.scopes,
    redirectUri: a.redirectUri,
    hasSecret,
    keyId: a.keyId,
    signingAlg: a.signingAlg,
    assertionAudience: a.assertionAudience,
    pushedAuthorization: a.pushedAuthorization ?? 'auto',
    requestObject: a.requestObject ?? 'auto',
    dpop: a.dpop === true,
    ...(a.origin ? { origin: a.origin } : {}),
  });
  const appInfo = async (id: string): Promise<ApplicationInfo> => applicationInfo(service.getApplication(id), await service.hasClientSecret(id));
  const previewInfo = (p: PlanPreview): ImportResult => ({
    environments: p.environments.map(environmentInfo),
    applications: p.applications.map((a) => applicationInfo(a, a.hasSecret)),
    skipped: p.skipped,
  });
  const applyImport = async (plan: import('./core/import').ImportPlan): Promise<ImportResult> => {
    const done = await features().applyPlan(plan, service);
    return { environments: done.environments.map(environmentInfo), applications: await Promise.all(done.applications.map((a) => appInfo(a.id))), skipped: plan.skipped };
  };
  return {
    apiVersion: 1,
    onDidChange: deps.onDidChange,
    addEnvironment: async (input) => environmentInfo(await service.addEnvironment(input)),
    listEnvironments: () => service.listEnvironments().map(environmentInfo),
    removeEnvironment: (id) => service.removeEnvironment(id),
    addApplication: async (environmentId, input) => appInfo((await service.addApplication(environmentId, input)).id),
    listApplications: (environmentId) => Promise.all(service.listApplications(environmentId).map((a) => appInfo(a.id))),
    removeApplication: (id) => service.removeApplication(id),
    updateApplication: async (id, patch) => {
      const { id: _id, environmentId: _env, keyId: _kid, ...current } = service.getApplication(id);
      // A new auth method brings its own signing algorithm (HS* for secrets, the key's for private keys).
      if (patch.authMethod !== undefined && patch.authMethod !== current.authMethod && patch.signingAlg === undefined) delete current.signingAlg;
      return appInfo((await service.updateApplication(id, { ...current, ...patch })).id);
    },
    getPublicJwks: (id) => service.publicJwks(id),
    rotateKey: (id, o = {}) => service.rotateKey(id, { signingAlg: o.signingAlg }),
    removeKey: (id, kid) => service.removeKey(id, kid),
    clientCredentials: async (id, o = {}) => (await consent(id), service.clientCredentials(id, { scope: o.scope })),
    signIn: async (id, o = {}) => (await consent(id), deps.signIn(id, o)),
    signInWithPassword: async (id, o) => (await consent(id), service.signInWithPassword(id, { username: o.username, password: o.password, scope: o.scope })),
    exchangeCode: async (id, o) => (await consent(id), service.exchangeCode(id, { code: o.code, redirectUri: o.redirectUri, codeVerifier: o.codeVerifier })),
    deviceAuthorization: async (id, o = {}) => (await consent(id), deps.deviceAuthorization(id, { scope: o.scope, onUserCode: o.onUserCode })),
    passwordGrant: async (id, o) => (await consent(id), service.passwordGrant(id, { username: o.username, password: o.password, scope: o.scope })),
    tokenExchange: async (id, o) => (
      await consent(id),
      service.tokenExchange(id, {
        subjectTokenSetId: o.subjectTokenSetId,
        subjectToken: o.subjectToken,
        actorTokenSetId: o.actorTokenSetId,
        audience: o.audience,
        resource: o.resource,
        scope: o.scope,
        requestedTokenType: o.requestedTokenType,
      })
    ),
    backchannelAuthentication: async (id, o) => (
      await consent(id),
      service.backchannelAuthentication(id, {
        loginHint: o.loginHint,
        idTokenHintTokenSetId: o.idTokenHintTokenSetId,
        loginHintToken: o.loginHintToken,
        bindingMessage: o.bindingMessage,
        scope: o.scope,
      })
    ),
    refresh: async (id, o = {}) => (await consentForSet(id), service.refresh(id, { scope: o.scope })),
    revoke: (id) => service.revoke(id),
    introspect: (id, o = {}) => service.introspect(id, { token: o.token }),
    userinfo: (id) => service.userinfo(id),
    deleteTokenSet: (id) => service.deleteTokenSet(id),
    listTokenSets: (applicationId) => service.listTokenSets(applicationId),
    getTokens: async (id) => {
      await consentForSet(id);
      const t = await service.getTokenSet(id);
      return {
        accessToken: t.accessToken,
        refreshToken: t.refreshToken,
        idToken: t.idToken,
        tokenType: t.tokenType,
        scope: t.scope,
        expiresAt: t.expiresAt,
      };
    },
    dpopProof: (id, request) => service.dpopProof(id, request),
    decode: (jwt) => {
      const { header, payload } = decodeJwt(jwt);
      return { header, payload };
    },
    inspect: (x) => deps.inspect(x),
    previewPostmanEnvironment: async (json) => previewInfo(await features().previewPlan(features().planPostmanImport(json), service)),
    importPostmanEnvironment: async (json) => applyImport(features().planPostmanImport(json)),
    importCurl: async (command) => {
      const { plan, grant, warnings } = features().planCurlImport(command);
      const done = await applyImport(plan);
      return { environment: done.environments[0], application: done.applications[0], grant, warnings };
    },
    browseTenant: (workerId) => features().browseTenant(service, workerId),
    importApplications: async (workerId, request) => {
      const done = await features().importApplications(service, workerId, request);
      return Promise.all(done.map(async (d) => ({ ...(await appInfo(d.application.id)), ...(d.secretProblem ? { secretProblem: d.secretProblem } : {}) })));
    },
    syncApplication: (id) => features().syncApplication(service, id, { apply: true }),
    getAccessToken: async (request = {}) => {
      // The same consent as getTokens: this hands a token to another extension.
      if (request.tokenSetId) await consentForSet(request.tokenSetId);
      else if (request.applicationId) await consent(request.applicationId);
      const token = await freshAccessToken(service, request);
      if (!request.tokenSetId && !request.applicationId) await consentForSet(token.tokenSetId);
      return token;
    },
    pin: (id) => deps.pinned.pin(id),
    pinned: () => deps.pinned.id,
  };
}
