// Fixed demo data: clients, the demo user and identifiers. These are documented demo credentials for
// a server that only listens on loopback; they are not secrets.
import type { SandboxClient } from './index';

export const DEFAULT_ENV_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
/** The `org` claim of PingOne access tokens (PingOne organization ID). */
export const ORG_ID = 'a1b2c3d4-0000-4000-8000-0000000000aa';
/** PingOne's management API audience; the default (and only) resource of the PingOne variant. */
export const PINGONE_API = 'https://api.pingone.com';
/** RFC 8252 loopback redirect URI; accepted on any port (see allowLoopbackRedirectsOnAnyPort). */
export const LOOPBACK_REDIRECT = 'http://127.0.0.1/callback';
/** Loopback post-logout redirect URIs accepted (on any port) by the sign-off endpoint. */
export const LOOPBACK_POST_LOGOUT = ['http://127.0.0.1/callback', 'http://127.0.0.1/logout'];

export const DEMO_USER = {
  username: 'demo.user',
  password: 'Demo-Passw0rd!',
  sub: 'a1b2c3d4-0000-4000-8000-0000000000e1',
  email: 'demo.user@example.com',
  name: 'Demo User',
} as const;

/** Claims of the demo user, grouped by the scope that releases them. */
export const CLAIMS_BY_SCOPE: Record<string, string[]> = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
  email: ['email', 'email_verified'],
};

export const USER_CLAIMS: Record<string, unknown> = {
  sub: DEMO_USER.sub,
  name: DEMO_USER.name,
  given_name: 'Demo',
  family_name: 'User',
  preferred_username: DEMO_USER.username,
  email: DEMO_USER.email,
  email_verified: true,
};

/** Scopes of the user-facing (authorization code) clients, also the OIDC scopes of both variants. */
export const USER_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export const PINGONE_CLIENTS = {
  worker: {
    clientId: 'sandbox-worker',
    clientSecret: 'sandbox-worker-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    scopes: 'p1:read:user p1:update:user',
  },
  web: {
    clientId: 'sandbox-web',
    clientSecret: 'sandbox-web-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: USER_SCOPES.join(' '),
  },
  post: {
    clientId: 'sandbox-post',
    clientSecret: 'sandbox-post-secret',
    authMethod: 'client_secret_post',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    scopes: `${USER_SCOPES.join(' ')} p1:read:user`,
  },
  /** A second worker without the Environment Admin role: it may list applications, not read their secrets. */
  workerLimited: {
    clientId: 'sandbox-worker-limited',
    clientSecret: 'sandbox-worker-limited-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    scopes: 'p1:read:user',
  },
  native: {
    clientId: 'sandbox-native',
    authMethod: 'none',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: USER_SCOPES.join(' '),
  },
  /** A back-end service that exchanges users' tokens for tokens to call a custom resource. */
  exchange: {
    clientId: 'sandbox-exchange',
    clientSecret: 'sandbox-exchange-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [],
    grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'],
    scopes: 'orders:read orders:write',
  },
  /** A call-centre back end that asks the user to approve on their phone (CIBA, poll mode). */
  ciba: {
    clientId: 'sandbox-ciba',
    clientSecret: 'sandbox-ciba-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [],
    grantTypes: ['urn:openid:params:grant-type:ciba', 'refresh_token'],
    scopes: USER_SCOPES.join(' '),
  },
  device: {
    clientId: 'sandbox-device',
    authMethod: 'none',
    redirectUris: [],
    grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    scopes: USER_SCOPES.join(' '),
  },
} satisfies Record<string, SandboxClient>;

export const PINGFEDERATE_CLIENTS = {
  pfWorker: {
    clientId: 'pf-worker',
    clientSecret: 'pf-worker-secret',
    authMethod: 'client_secret_post',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    scopes: 'api:read api:write',
  },
  pfWeb: {
    clientId: 'pf-web',
    clientSecret: 'pf-web-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: USER_SCOPES.join(' '),
  },
  /** A legacy app that signs users in with their username and password (resource-owner password grant). */
  pfLegacy: {
    clientId: 'pf-legacy',
    clientSecret: 'pf-legacy-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [],
    grantTypes: ['password', 'refresh_token'],
    scopes: USER_SCOPES.join(' '),
  },
} satisfies Record<string, SandboxClient>;

/**
 * PingOne applications that authenticate with a JWT or need pushed or signed authorization
 * requests. `sandbox-pkjwt` reads its public keys from the sandbox's test-only JWKS document, which a
 * test sets with `sandbox.setClientJwks` (what registering the JWKS in the tenant does).
 */
export const PINGONE_JWT_CLIENTS = {
  secretJwt: {
    clientId: 'sandbox-secret-jwt',
    clientSecret: 'sandbox-secret-jwt-secret-with-at-least-32-bytes',
    authMethod: 'client_secret_jwt',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    scopes: `${USER_SCOPES.join(' ')} p1:read:user`,
  },
  privateKeyJwt: {
    clientId: 'sandbox-pkjwt',
    authMethod: 'private_key_jwt',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    scopes: `${USER_SCOPES.join(' ')} p1:read:user`,
    jwksFromSandbox: true,
  },
  par: {
    clientId: 'sandbox-par',
    clientSecret: 'sandbox-par-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: USER_SCOPES.join(' '),
    requirePushedAuthorization: true,
  },
  jar: {
    clientId: 'sandbox-jar',
    authMethod: 'private_key_jwt',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: USER_SCOPES.join(' '),
    jwksFromSandbox: true,
    requireSignedRequestObject: true,
  },
  dpop: {
    clientId: 'sandbox-dpop',
    clientSecret: 'sandbox-dpop-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'],
    scopes: `${USER_SCOPES.join(' ')} p1:read:user`,
    dpopBound: true,
  },
} satisfies Record<string, SandboxClient>;

/** Clients of the generic OpenID provider (issuer with a trailing slash, bodiless error answers). */
export const OIDC_CLIENTS = {
  oidcWeb: {
    clientId: 'oidc-web',
    clientSecret: 'oidc-web-secret',
    authMethod: 'client_secret_basic',
    redirectUris: [LOOPBACK_REDIRECT],
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: USER_SCOPES.join(' '),
  },
} satisfies Record<string, SandboxClient>;

/** Where a client that reads its keys from the sandbox finds them (served by the sandbox itself). */
export function clientJwksPath(clientId: string): string {
  return `/test/client-jwks/${encodeURIComponent(clientId)}`;
}

/** oidc-provider client metadata for one sandbox client; `origin` is the sandbox's own. */
export function clientMetadata(c: SandboxClient, origin = ''): Record<string, unknown> {
  const code = c.grantTypes.includes('authorization_code');
  return {
    ...(c.jwksFromSandbox ? { jwks_uri: `${origin}${clientJwksPath(c.clientId)}` } : {}),
    ...(c.requirePushedAuthorization ? { require_pushed_authorization_requests: true } : {}),
    ...(c.requireSignedRequestObject ? { require_signed_request_object: true } : {}),
    ...(c.dpopBound ? { dpop_bound_access_tokens: true } : {}),
    client_id: c.clientId,
    ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
    token_endpoint_auth_method: c.authMethod,
    grant_types: c.grantTypes,
    response_types: code ? ['code'] : [],
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: code ? LOOPBACK_POST_LOGOUT : [],
    application_type: c.authMethod === 'none' ? 'native' : 'web',
    ...(c.grantTypes.includes('urn:openid:params:grant-type:ciba') ? { backchannel_token_delivery_mode: 'poll' } : {}),
    scope: c.scopes,
  };
}
