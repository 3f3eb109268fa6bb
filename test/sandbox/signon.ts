// The sandbox's own sign-on "interaction" (oidc-provider's devInteractions are off): an HTML form
// that checks the demo user's username and password and then grants every requested scope, so no
// separate consent step is shown. The flows API (flows.ts) completes interactions the same way.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { DEMO_USER } from './demo';
import { escapeHtml, readBody, sendHtml } from './http';
import type { OidcProvider } from './provider';

/** Account ID of the user with these credentials, or undefined. */
export function checkCredentials(username: unknown, password: unknown): string | undefined {
  return username === DEMO_USER.username && password === DEMO_USER.password ? DEMO_USER.sub : undefined;
}

/**
 * Creates (or extends) the grant for an interaction so it covers everything the authorization
 * request asked for: OIDC scopes and claims, and the requested scopes on each resource.
 * Returns the grant ID for the interaction result.
 */
export async function grantEverything(provider: OidcProvider, interaction: any, accountId: string): Promise<string> {
  const { params, prompt } = interaction;
  const grant = (interaction.grantId && (await provider.Grant.find(interaction.grantId))) || new provider.Grant({ accountId, clientId: params.client_id });
  const scope: string = params.scope ?? '';
  if (scope) grant.addOIDCScope(scope);
  if (params.claims) {
    const requested = JSON.parse(params.claims) as Record<string, Record<string, unknown> | undefined>;
    grant.addOIDCClaims([...Object.keys(requested.id_token ?? {}), ...Object.keys(requested.userinfo ?? {})]);
  }
  for (const resource of [params.resource].flat().filter(Boolean) as string[]) {
    if (scope) grant.addResourceScope(resource, scope);
  }
  // A consent-only prompt (user already signed in) lists what is still missing.
  const details = prompt?.details ?? {};
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries<string[]>(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return grant.save();
}

/** Interaction result that signs `accountId` in and consents to everything requested. */
export async function signedInResult(provider: OidcProvider, interaction: any, accountId: string) {
  return { login: { accountId }, consent: { grantId: await grantEverything(provider, interaction, accountId) } };
}

function form(interaction: any, error?: string): string {
  const { client_id: clientId, scope = '' } = interaction.params;
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign On</title></head><body>
<h1>Sign On</h1>
<p>Application <b>${escapeHtml(clientId)}</b> requests: <code>${escapeHtml(scope)}</code></p>
${error ? `<p role="alert" style="color:#b00">${escapeHtml(error)}</p>` : ''}
<form method="post" autocomplete="off">
  <label>Username <input name="username" autofocus></label><br>
  <label>Password <input name="password" type="password"></label><br>
  <button type="submit" name="action" value="signon">Sign On</button>
  <button type="submit" name="action" value="deny">Cancel</button>
</form>
<p><small>Sandbox demo user: ${escapeHtml(DEMO_USER.username)} / ${escapeHtml(DEMO_USER.password)}</small></p>
</body></html>`;
}

/**
 * GET/POST {signonPath(uid)}. Needs oidc-provider's `_interaction` cookie (set on the redirect here,
 * scoped to this path). GET shows the form (or, when the user is already signed in and only
 * consent is pending, grants it at once); POST checks the credentials or denies.
 */
export async function handleSignon(provider: OidcProvider, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  let interaction: any;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch {
    sendHtml(res, 400, '<!DOCTYPE html><p>This sign-on request has expired or its cookie is missing. Start again from the application.</p>');
    return;
  }
  if (interaction.uid !== uid) {
    sendHtml(res, 400, '<!DOCTYPE html><p>Sign-on request mismatch.</p>');
    return;
  }

  if (req.method === 'GET') {
    if (interaction.prompt.name === 'login') {
      sendHtml(res, 200, form(interaction));
    } else {
      const grantId = await grantEverything(provider, interaction, interaction.session.accountId);
      await provider.interactionFinished(req, res, { consent: { grantId } });
    }
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'GET, POST' }).end();
    return;
  }

  const body = new URLSearchParams(await readBody(req));
  if (body.get('action') === 'deny') {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user denied the request' }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = checkCredentials(body.get('username'), body.get('password'));
  if (!accountId) {
    sendHtml(res, 401, form(interaction, 'Invalid username or password.'));
    return;
  }
  await provider.interactionFinished(req, res, await signedInResult(provider, interaction, accountId));
}
