/**
 * The public API returned by `activate()`. Other extensions (and our integration tests) use it:
 *   const api = await vscode.extensions.getExtension('pingone-tools.pingone-token-explorer')!.activate();
 * Stable within `apiVersion`; documented in the README. Errors thrown carry a `code` (see core/errors).
 */
import vscode = require('vscode');
import type { ApplicationInput } from './core/application';
import type { EnvironmentInput, EnvironmentKind, Region } from './core/environment';
import { decodeJwt } from './core/jwt';
import type { AuthMethod } from './core/oauth';
import type { TokenAccessGate } from './core/consent';
import type { TokenExchangeOptions, TokenService, TokenSetInfo } from './core/service';
import type { UserCodeInfo } from './core/grants/deviceCode';
import type { Grant } from './core/tokenSet';
import type { Skipped } from './core/import';
import type { RemoteApplication, RemoteEnvironment, SyncResult } from './core/management';
import type { Pinned } from './integrations/pinned';
import type { AccessToken, AccessTokenRequest } from './integrations/tokenAccess';

export type { RemoteApplication, RemoteEnvironment, SyncResult };

/** The implementation (src/apiImpl.ts) ships in dist/features.js and loads on first use (esbuild keeps this require lazy). */
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

/**
 * The API methods whose implementation (src/apiImpl.ts, in dist/features.js) loads on the first
 * call. The reads that need no request (lists, decode, the pinned set) are answered here.
 */
const LOADED = {
  addEnvironment: true,
  removeEnvironment: true,
  addApplication: true,
  listApplications: true,
  removeApplication: true,
  updateApplication: true,
  getPublicJwks: true,
  rotateKey: true,
  removeKey: true,
  clientCredentials: true,
  signIn: true,
  signInWithPassword: true,
  exchangeCode: true,
  deviceAuthorization: true,
  passwordGrant: true,
  tokenExchange: true,
  backchannelAuthentication: true,
  refresh: true,
  revoke: true,
  introspect: true,
  userinfo: true,
  deleteTokenSet: true,
  getTokens: true,
  dpopProof: true,
  inspect: true,
  previewPostmanEnvironment: true,
  importPostmanEnvironment: true,
  importCurl: true,
  browseTenant: true,
  importApplications: true,
  syncApplication: true,
  getAccessToken: true,
  pin: true,
} satisfies Record<LoadedMethod, true>;

/** Every method but those answered at activation; a new method of the interface lands here (a type error until listed in LOADED). */
export type LoadedMethod = Exclude<keyof PingOneTokenExplorerApi, 'apiVersion' | 'onDidChange' | 'listEnvironments' | 'listTokenSets' | 'decode' | 'pinned'>;

export function createApi(deps: ApiDeps): PingOneTokenExplorerApi {
  const { service } = deps;
  let impl: Pick<PingOneTokenExplorerApi, LoadedMethod> | undefined;
  const load = () => (impl ??= features().createApiImpl(deps));
  const forward = Object.fromEntries(
    Object.keys(LOADED).map((name) => [name, (...args: unknown[]) => (load()[name as LoadedMethod] as (...a: unknown[]) => unknown)(...args)]),
  ) as unknown as Pick<PingOneTokenExplorerApi, LoadedMethod>;
  return {
    apiVersion: 1,
    onDidChange: deps.onDidChange,
    listEnvironments: () => service.listEnvironments().map(environmentInfo),
    listTokenSets: (applicationId) => service.listTokenSets(applicationId),
    decode: (jwt) => {
      const { header, payload } = decodeJwt(jwt);
      return { header, payload };
    },
    pinned: () => deps.pinned.id,
    ...forward,
  };
}
