// Builds one oidc-provider instance (PingOne or PingFederate variant) with everything configured
// explicitly: real keys, cookie keys, storage, TTLs and page renderers, so oidc-provider never
// prints its "you should change this" notices.
import { randomBytes } from 'node:crypto';

import { createMemoryAdapter } from './adapter';
import { CLAIMS_BY_SCOPE, DEMO_USER, USER_CLAIMS, clientMetadata } from './demo';
import { escapeHtml } from './http';
import { looksLikeJwt, verifyRs256, type SigningKey } from './keys';
import { POLLING_GRANTS } from './pending';
import { exchangeActor } from './tokenExchange';
import type { SandboxClient } from './index';

// oidc-provider is untyped (see oidc-provider.d.ts): its objects are `any` at this boundary.
export type OidcProvider = any;
type KoaContext = any;

export interface VariantSetup {
  issuer: string;
  /** Path prefix the provider is mounted under (the issuer's path). */
  mountPath: string;
  key: SigningKey;
  clients: SandboxClient[];
  routes: Record<string, string>;
  scopes: string[];
  /** Read for every token issued, so that a test can shorten it for the next ones (Sandbox.setAccessTokenTtl). */
  accessTokenTtlSeconds: () => number;
  /** true: every refresh returns a new refresh token and retires the old one (PingOne). */
  rotateRefreshTokens: boolean;
  /** Path of the sandbox's sign-on page for an interaction. */
  signonPath: (uid: string) => string;
  /** PingOne only: JWT access tokens for this resource (audience) with these extra claims. */
  jwtResource?: { audience: string; extraClaims: Record<string, string> };
  /** Counts a request that reached this variant's token endpoint. */
  countTokenRequest: (grantType: string | undefined) => void;
  /**
   * PingOne only: accept `response_mode=pi.flow` (the flows API's redirectless mode), also inside a
   * pushed or signed request. The sandbox's flows API (flows.ts) drives such a request; the answer
   * oidc-provider itself gives at the end is a plain query redirect, which the flows API unwraps.
   */
  piFlow?: boolean;
  /** Platform-style 404 body for unknown paths. */
  notFound: (path: string) => unknown;
  quiet: boolean;
  /** Test-only: whether the next pending poll answers `slow_down` (see pending.ts). */
  takeSlowDown?: () => boolean;
  /** features.ciba.triggerAuthenticationDevice: a CIBA request waits for the user (see pending.ts). */
  cibaTriggered?: (provider: OidcProvider, request: any) => void;
  /** Told each user code the device authorization endpoint hands out. */
  userCodeIssued?: (userCode: string) => void;
  /** The `interval` the device authorization endpoint advertises (seconds). */
  pollIntervalSeconds?: number;
  /**
   * Like some real servers, answer failed token, revocation and introspection requests with the
   * status alone and an empty body (no OAuth error JSON).
   */
  emptyErrorBodies?: boolean;
}

const JWT_CLIENT_ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'] as const;

/** Lifetime of a sign-on interaction (and so of a flows-API flow). */
export const INTERACTION_TTL_SECONDS = 1800;

const page = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` + `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

export async function createProvider(setup: VariantSetup): Promise<OidcProvider> {
  // oidc-provider is ESM-only; the test bundles are CommonJS, hence the dynamic import.
  const { default: Provider, errors } = await import('oidc-provider');
  const ttl = () => setup.accessTokenTtlSeconds();
  const resource = setup.jwtResource;

  const provider = new Provider(setup.issuer, {
    adapter: createMemoryAdapter((value) => (looksLikeJwt(value) ? (verifyRs256(value, setup.key)?.jti as string | undefined) : undefined)),
    clients: setup.clients.map((c) => clientMetadata(c, new URL(setup.issuer).origin)),
    jwks: { keys: [setup.key.jwk] },
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      // The session cookie is scoped to the variant, so the two variants never see each other's.
      long: { httpOnly: true, sameSite: 'lax', path: setup.mountPath },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    routes: setup.routes,
    scopes: setup.scopes,
    claims: CLAIMS_BY_SCOPE,
    async findAccount(_ctx: KoaContext, sub: string) {
      return sub === DEMO_USER.sub ? { accountId: sub, claims: async () => ({ ...USER_CLAIMS }) } : undefined;
    },
    interactions: { url: (_ctx: KoaContext, interaction: { uid: string }) => setup.signonPath(interaction.uid) },
    // PKCE is allowed for every client and required (S256 only) for public clients.
    pkce: { methods: ['S256'], required: (_ctx: KoaContext, client: any) => client.clientAuthMethod === 'none' },
    // PingOne issues a refresh token whenever the app has the refresh_token grant; offline_access
    // is not needed.
    issueRefreshToken: async (_ctx: KoaContext, client: any) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: setup.rotateRefreshTokens,
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      AuthorizationCode: 600,
      IdToken: 3600,
      RefreshToken: 30 * 24 * 3600,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: 14 * 24 * 3600,
      Grant: 180 * 24 * 3600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    },
    // Every algorithm PingOne accepts for client assertions and request objects (oidc-provider's
    // default list leaves out the SHA-384/512 variants).
    enabledJWA: {
      clientAuthSigningAlgValues: [...JWT_CLIENT_ALGS],
      requestObjectSigningAlgValues: [...JWT_CLIENT_ALGS],
    },
    clientBasedCORS: () => true, // any origin may call the token/userinfo endpoints (local server)
    async renderError(ctx: KoaContext, out: Record<string, string>) {
      // JSON for API clients that ask for it (and for the flows API's internal requests).
      if (ctx.accepts('html', 'json') === 'json') {
        ctx.body = out;
        return;
      }
      ctx.type = 'html';
      ctx.body = page(
        'Error',
        Object.entries(out)
          .map(([k, v]) => `<p><b>${escapeHtml(k)}</b>: ${escapeHtml(v)}</p>`)
          .join(''),
      );
    },
    features: {
      devInteractions: { enabled: false },
      // Signed request objects (JAR) by value, for clients that require them.
      requestObjects: { request: true, requestUri: false, requireUriRegistration: false },
      // DPoP-bound tokens (RFC 9449), with server nonces always required, so clients must retry once.
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        // oidc-provider's default policy, stated explicitly: public clients only see their own tokens.
        allowedPolicy: async (ctx: KoaContext, client: any, token: any) => client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client.clientId,
      },
      deviceFlow: {
        enabled: true,
        async userCodeInputSource(ctx: KoaContext, form: string, _out: unknown, err?: Error) {
          ctx.body = page('Device sign-on', `${err ? '<p>That code is not valid.</p>' : ''}${form}<button type="submit" form="op.deviceInputForm">Continue</button>`);
        },
        async userCodeConfirmSource(ctx: KoaContext, form: string, _client: unknown, _info: unknown, userCode: string) {
          ctx.body = page('Confirm device', `<p>Code <code>${escapeHtml(userCode)}</code></p>${form}<button type="submit" form="op.deviceConfirmForm">Continue</button>`);
        },
        async successSource(ctx: KoaContext) {
          ctx.body = page('Device signed on', '<p>You can return to your device.</p>');
        },
      },
      // CIBA poll mode (PingOne /as/cibaAuthorization). The user is the demo user, named by login_hint
      // (username or email), id_token_hint (checked by oidc-provider) or login_hint_token (a JWT this
      // variant signed, naming the user in `sub`); the approval happens through pending.ts.
      ciba: {
        enabled: true,
        deliveryModes: ['poll'],
        async processLoginHint(_ctx: KoaContext, loginHint: string) {
          return loginHint === DEMO_USER.username || loginHint === DEMO_USER.email || loginHint === DEMO_USER.sub ? DEMO_USER.sub : undefined;
        },
        async processLoginHintToken(_ctx: KoaContext, loginHintToken: string) {
          const claims = verifyRs256(loginHintToken, setup.key);
          return claims?.sub === DEMO_USER.sub ? DEMO_USER.sub : undefined;
        },
        async validateBindingMessage(_ctx: KoaContext, bindingMessage?: string) {
          if (bindingMessage !== undefined && !/^[\w \-.,:;!?#]{1,64}$/.test(bindingMessage)) {
            throw new errors.InvalidBindingMessage('the binding_message is too long or has characters a device cannot show');
          }
        },
        async validateRequestContext() {},
        async verifyUserCode() {},
        async triggerAuthenticationDevice(ctx: KoaContext, request: any) {
          setup.cibaTriggered?.(ctx.oidc.provider, request);
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        // PingOne signs off without asking: the confirmation form submits itself.
        async logoutSource(ctx: KoaContext, form: string) {
          ctx.body = page(
            'Signing off',
            `${form}<input type="hidden" form="op.logoutForm" name="logout" value="yes">` +
              '<button type="submit" form="op.logoutForm">Sign off</button><script>document.forms[0].submit()</script>',
          );
        },
        async postLogoutSuccessSource(ctx: KoaContext) {
          ctx.body = page('Signed off', '<p>You have been signed off.</p>');
        },
      },
      resourceIndicators: resource
        ? {
            enabled: true,
            defaultResource: async () => resource.audience,
            useGrantedResource: async () => true,
            async getResourceServerInfo(_ctx: KoaContext, indicator: string) {
              if (indicator !== resource.audience) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
              return {
                scope: setup.scopes.join(' '),
                accessTokenFormat: 'jwt',
                accessTokenTTL: ttl(),
                jwt: { sign: { alg: 'RS256' } },
              };
            },
          }
        : { enabled: false },
    },
    // The actor of a token exchange (tokenExchange.ts) is named in the issued token's `act` claim.
    extraTokenClaims: async (ctx: KoaContext) => {
      const actor = exchangeActor(ctx);
      return { ...resource?.extraClaims, ...(actor ? { act: { sub: actor } } : {}) };
    },
    ...(resource
      ? {
          formats: {
            customizers: {
              // PingOne-like JWT access tokens: no `sub` for client credentials, plus sid/auth_time
              // for user tokens. oidc-provider only records a sid for back-channel-logout clients,
              // so look it up in the sign-on session.
              async jwt(ctx: KoaContext, token: any, jwt: { payload: Record<string, any> }) {
                if (token.kind === 'ClientCredentials') delete jwt.payload.sub;
                const session = token.sessionUid ? await ctx.oidc.provider.Session.findByUid(token.sessionUid) : undefined;
                const sid = token.sid ?? session?.sidFor(token.clientId);
                if (sid) jwt.payload.sid = sid;
                const { entities } = ctx.oidc;
                const authTime = entities.AuthorizationCode?.authTime ?? entities.RefreshToken?.authTime;
                if (authTime) jwt.payload.auth_time = authTime;
                storeJwtAccessToken(token, jwt.payload.iat, jwt.payload.exp);
              },
            },
          },
        }
      : {}),
  });

  allowLoopbackRedirectsOnAnyPort(provider);
  enforceRegisteredAuthMethod(provider);
  if (setup.piFlow) {
    provider.registerResponseMode('pi.flow', (ctx: KoaContext, redirectUri: string, payload: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(payload)) if (v !== undefined) target.searchParams.set(k, v);
      ctx.status = 303;
      ctx.redirect(target.href);
    });
  }

  // Outermost middleware: runs around every request this provider handles.
  provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
    await next();
    if (ctx.oidc?.route === 'token') {
      // Counted here because the form body is only parsed inside oidc-provider.
      const params = ctx.oidc.params ?? ctx.oidc.body ?? {};
      setup.countTokenRequest(params.grant_type);
      if (POLLING_GRANTS.has(params.grant_type) && ctx.body?.error === 'authorization_pending' && setup.takeSlowDown?.()) {
        ctx.body = { error: 'slow_down', error_description: 'you are polling too quickly' };
      }
      // Non-rolling refresh tokens (PingFederate DONT_ROLL): the response carries no refresh_token.
      if (!setup.rotateRefreshTokens && params.grant_type === 'refresh_token' && ctx.body?.refresh_token === params.refresh_token) {
        delete ctx.body.refresh_token;
      }
    }
    const polled = ctx.oidc?.route === 'device_authorization' || ctx.oidc?.route === 'backchannel_authentication';
    if (polled && ctx.status === 200 && setup.pollIntervalSeconds) {
      ctx.body = { ...ctx.body, interval: setup.pollIntervalSeconds };
      if (ctx.body.user_code) setup.userCodeIssued?.(ctx.body.user_code);
    }
    if (setup.emptyErrorBodies && ctx.status >= 400 && ['token', 'revocation', 'introspection'].includes(ctx.oidc?.route)) {
      const status = ctx.status;
      ctx.body = '';
      ctx.status = status;
      ctx.remove('Content-Type');
      ctx.remove('WWW-Authenticate');
    } else if (ctx.status === 404 && !ctx._matchedRoute) {
      ctx.body = setup.notFound(ctx.req.originalUrl ?? ctx.path);
    }
  });

  if (!setup.quiet) {
    provider.on('server_error', (_ctx: KoaContext, err: Error) => console.error('[sandbox] server_error', err));
  }
  return provider;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

/** True when `value` is an http loopback URI equal to one of `registered` except for the port. */
function loopbackMatch(registered: string[], value: string): boolean {
  if (!URL.canParse(value)) return false;
  const requested = new URL(value);
  if (requested.protocol !== 'http:' || !LOOPBACK_HOSTS.has(requested.hostname)) return false;
  requested.port = '';
  return registered.some((r) => {
    if (!URL.canParse(r)) return false;
    const candidate = new URL(r);
    candidate.port = '';
    return candidate.href === requested.href;
  });
}

/**
 * RFC 8252 §7.3: a loopback redirect URI registered without a port matches any port. oidc-provider
 * only does this for application_type "native"; PingOne does it for every client, so extend the
 * documented `Client.prototype.redirectUriAllowed` hook (and its post-logout twin).
 */
function allowLoopbackRedirectsOnAnyPort(provider: OidcProvider): void {
  const proto = provider.Client.prototype;
  const { redirectUriAllowed, postLogoutRedirectUriAllowed } = proto;
  proto.redirectUriAllowed = function (this: any, value: string): boolean {
    return redirectUriAllowed.call(this, value) || loopbackMatch(this.redirectUris ?? [], value);
  };
  proto.postLogoutRedirectUriAllowed = function (this: any, value: string): boolean {
    return postLogoutRedirectUriAllowed.call(this, value) || loopbackMatch(this.postLogoutRedirectUris ?? [], value);
  };
}

/**
 * PingOne accepts only the application's registered token endpoint auth method ("Unsupported
 * authentication method" otherwise), while oidc-provider lets client_secret_basic and
 * client_secret_post stand in for each other. Before oidc-provider compares the methods a request
 * used with the client's registration (right after it loads the client), narrow them to the one
 * actually used: an Authorization: Basic header, or client_secret in the form body.
 */
function enforceRegisteredAuthMethod(provider: OidcProvider): void {
  const proto = provider.OIDCContext.prototype;
  const { entity } = proto;
  proto.entity = function (this: any, key: string, value: unknown) {
    const methods: string[] | undefined = this.authorization?.methods;
    if (key === 'Client' && methods?.includes('client_secret_basic') && methods.includes('client_secret_post')) {
      this.authorization.methods = /^basic\s/i.test(this.ctx.headers.authorization ?? '') ? ['client_secret_basic'] : ['client_secret_post'];
    }
    return entity.call(this, key, value);
  };
}

/**
 * oidc-provider does not store JWT access tokens (it only emits "issued"), so it could neither
 * introspect nor revoke them. Store them like opaque tokens, under their jti, with the iat/exp the
 * JWT carries (the adapter maps a presented JWT back to its jti).
 */
function storeJwtAccessToken(token: any, iat: number, exp: number): void {
  const fields: string[] = token.constructor.IN_PAYLOAD.filter((f: string) => f !== 'format' && token[f] !== undefined);
  const payload = { ...Object.fromEntries(fields.map((f) => [f, token[f]])), iat, exp };
  void token.adapter.upsert(token.jti, payload, exp - Math.floor(Date.now() / 1000));
}
