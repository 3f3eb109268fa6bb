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
import type { TokenService, TokenSetInfo } from './core/service';
import type { Grant } from './core/tokenSet';
import type { Pinned } from './integrations/pinned';
import { type AccessToken, type AccessTokenRequest, freshAccessToken } from './integrations/tokenAccess';

export type { TokenSetInfo };

export interface EnvironmentInfo {
  id: string;
  name: string;
  kind: EnvironmentKind;
  issuer: string;
  region?: Region;
  environmentId?: string;
  authBaseUrl?: string;
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
  pinned: Pinned;
}

export function environmentInfo(e: EnvironmentInfo): EnvironmentInfo {
  const { id, name, kind, issuer, region, environmentId, authBaseUrl } = e;
  return { id, name, kind, issuer, region, environmentId, authBaseUrl };
}

export function createApi(deps: ApiDeps): PingOneTokenExplorerApi {
  const { service } = deps;
  const appInfo = async (id: string): Promise<ApplicationInfo> => {
    const a = service.getApplication(id);
    return {
      id: a.id,
      environmentId: a.environmentId,
      name: a.name,
      clientId: a.clientId,
      authMethod: a.authMethod,
      grants: a.grants,
      scopes: a.scopes,
      redirectUri: a.redirectUri,
      hasSecret: await service.hasClientSecret(a.id),
      keyId: a.keyId,
      signingAlg: a.signingAlg,
      assertionAudience: a.assertionAudience,
      pushedAuthorization: a.pushedAuthorization ?? 'auto',
      requestObject: a.requestObject ?? 'auto',
      dpop: a.dpop === true,
    };
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
    clientCredentials: (id, o = {}) => service.clientCredentials(id, { scope: o.scope }),
    signIn: (id, o = {}) => deps.signIn(id, o),
    signInWithPassword: (id, o) => service.signInWithPassword(id, { username: o.username, password: o.password, scope: o.scope }),
    exchangeCode: (id, o) => service.exchangeCode(id, { code: o.code, redirectUri: o.redirectUri, codeVerifier: o.codeVerifier }),
    refresh: (id, o = {}) => service.refresh(id, { scope: o.scope }),
    revoke: (id) => service.revoke(id),
    introspect: (id, o = {}) => service.introspect(id, { token: o.token }),
    userinfo: (id) => service.userinfo(id),
    deleteTokenSet: (id) => service.deleteTokenSet(id),
    listTokenSets: (applicationId) => service.listTokenSets(applicationId),
    getTokens: async (id) => {
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
    // Issue #10's pingone.api.tokenAccess consent goes in front of this one, as for getTokens.
    getAccessToken: (request = {}) => freshAccessToken(service, request),
    pin: (id) => deps.pinned.pin(id),
    pinned: () => deps.pinned.id,
  };
}
