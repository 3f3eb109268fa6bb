// OAuth 2.0 Token Exchange (RFC 8693) for the sandbox, through oidc-provider's extension point for
// grant types (`provider.registerGrantType`), as PingOne offers it: a confidential client presents a
// subject token (an access token or an ID token this variant issued) and optionally an actor token,
// and gets an access token for the requested audience (a custom resource), with the actor in `act`.
import { verifyRs256, type SigningKey } from './keys';
import type { OidcProvider } from './provider';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';

/** Who the actor of the exchange in this request is, for the issued token's `act` claim (see provider.ts). */
export const exchangeActor = (ctx: any): string | undefined => ctx?.oidc?.tokenExchangeActor;

export async function registerTokenExchange(provider: OidcProvider, opts: { issuer: string; key: SigningKey; jwt: boolean }): Promise<void> {
  const { errors } = await import('oidc-provider');

  /** The subject (user or client) a presented token stands for, or an invalid_grant. */
  async function subjectOf(token: unknown, type: unknown, role: string): Promise<string> {
    if (typeof token !== 'string' || !token) throw new errors.InvalidRequest(`${role}_token is required`);
    if (type === ACCESS_TOKEN) {
      const found = (await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token));
      if (!found || found.isExpired) throw new errors.InvalidGrant(`${role}_token is invalid or expired`);
      return found.accountId ?? found.clientId;
    }
    if (type === ID_TOKEN) {
      const payload = verifyRs256(token, opts.key);
      const now = Math.floor(Date.now() / 1000);
      if (!payload || payload.iss !== opts.issuer || typeof payload.exp !== 'number' || payload.exp <= now || typeof payload.sub !== 'string') {
        throw new errors.InvalidGrant(`${role}_token is invalid or expired`);
      }
      return payload.sub;
    }
    throw new errors.InvalidRequest(`unsupported ${role}_token_type`);
  }

  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    async (ctx: any, next: () => Promise<void>) => {
      const { client, params } = ctx.oidc;
      if (client.clientAuthMethod === 'none') throw new errors.UnauthorizedClient('token exchange requires a confidential client');
      if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN) {
        throw new errors.InvalidRequest('only access tokens can be issued');
      }
      const subject = await subjectOf(params.subject_token, params.subject_token_type, 'subject');
      const actor = params.actor_token ? await subjectOf(params.actor_token, params.actor_token_type, 'actor') : undefined;
      const requested: string[] = (params.scope ?? '').split(' ').filter(Boolean);
      const allowed = new Set<string>((client.scope ?? '').split(' '));
      const refused = requested.filter((s) => !allowed.has(s));
      if (refused.length) throw new errors.InvalidScope('requested scope is not allowed', refused.join(' '));
      const scope = requested.join(' ') || undefined;
      const audience: string | undefined = params.audience ?? params.resource;

      ctx.oidc.tokenExchangeActor = actor;
      const at = new provider.AccessToken({ accountId: subject, client, gty: 'token_exchange', scope });
      if (opts.jwt && audience) {
        at.resourceServer = new provider.ResourceServer(audience, { scope: scope ?? '', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } });
      } else if (audience) {
        at.aud = audience;
      }
      ctx.oidc.entity('AccessToken', at);
      const accessToken = await at.save();
      ctx.body = { access_token: accessToken, issued_token_type: ACCESS_TOKEN, token_type: 'Bearer', expires_in: at.expiration, scope };
      await next();
    },
    ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'audience', 'resource', 'scope', 'requested_token_type'],
  );
}
