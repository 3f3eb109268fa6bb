// The resource-owner password grant (RFC 6749 §4.3) for the PingFederate-shaped variant: oidc-provider
// has no such grant, so it is registered through its documented extension point
// (`provider.registerGrantType`). The demo user's credentials are checked as on the sign-on page; the
// tokens are issued like the device grant's: an access token, a refresh token when the client has
// the refresh_token grant, and an ID token for `openid`.
import { checkCredentials } from './signon';
import type { OidcProvider } from './provider';

export const PASSWORD_GRANT = 'password';

export async function registerPasswordGrant(provider: OidcProvider): Promise<void> {
  const { errors } = await import('oidc-provider');
  provider.registerGrantType(
    PASSWORD_GRANT,
    async (ctx: any, next: () => Promise<void>) => {
      const { client, params } = ctx.oidc;
      if (typeof params.username !== 'string' || typeof params.password !== 'string') {
        throw new errors.InvalidRequest('username and password are required');
      }
      const accountId = checkCredentials(params.username, params.password);
      if (!accountId) throw new errors.InvalidGrant('invalid username or password');
      const requested: string[] = params.scope ? params.scope.split(' ') : (client.scope ?? '').split(' ');
      const allowed = new Set<string>((client.scope ?? '').split(' '));
      const refused = requested.filter((s) => s && !allowed.has(s));
      if (refused.length) throw new errors.InvalidScope('requested scope is not allowed', refused.join(' '));
      const scope = requested.filter(Boolean).join(' ');
      const authTime = Math.floor(Date.now() / 1000);

      const grant = new provider.Grant({ accountId, clientId: client.clientId });
      grant.addOIDCScope(scope);
      const grantId = await grant.save();
      const account = await provider.Account.findAccount(ctx, accountId);
      ctx.oidc.entity('Grant', grant);
      ctx.oidc.entity('Account', account);

      const at = new provider.AccessToken({ accountId, client, grantId, gty: PASSWORD_GRANT, scope });
      ctx.oidc.entity('AccessToken', at);
      const accessToken = await at.save();

      let refreshToken: string | undefined;
      if (client.grantTypeAllowed('refresh_token')) {
        const rt = new provider.RefreshToken({ accountId, client, grantId, gty: PASSWORD_GRANT, scope, authTime, rotations: 0 });
        ctx.oidc.entity('RefreshToken', rt);
        refreshToken = await rt.save();
      }

      let idToken: string | undefined;
      if (scope.split(' ').includes('openid')) {
        const token = new provider.IdToken({ ...(await account.claims('id_token', scope, {}, [])), auth_time: authTime }, { ctx });
        token.scope = scope;
        token.set('at_hash', accessToken);
        idToken = await token.issue({ use: 'idtoken' });
      }

      ctx.body = { access_token: accessToken, expires_in: at.expiration, id_token: idToken, refresh_token: refreshToken, scope, token_type: 'Bearer' };
      await next();
    },
    ['username', 'password', 'scope'],
  );
}
