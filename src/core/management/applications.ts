/**
 * PingOne management API applications, as the browse list shows them and as they become the
 * extension's applications: client ID = the application `id`, auth method from
 * `tokenEndpointAuthMethod`, grants from `grantTypes`, the first loopback redirect URI. What this
 * version cannot store (the JWT auth methods until they land, a PAR requirement, grants it does not
 * run) is named, never dropped silently.
 */
import { type ApplicationInput, GRANTS, isLoopbackRedirect, validateRedirectUri } from '../application';
import { mapAuthMethod } from '../import/postman';
import type { Grant } from '../tokenSet';

export interface RemoteApplication {
  id: string;
  name: string;
  type: string;
  protocol: string;
  enabled: boolean;
  grantTypes: string[];
  tokenEndpointAuthMethod?: string;
  pkceEnforcement?: string;
  parRequirement?: string;
  redirectUris: string[];
  /** OpenID Connect applications whose auth method and grants this version can use. */
  importable: boolean;
  /** Why not, when not importable. */
  reason?: string;
  /** The id of the extension's application for it, when already imported. */
  importedAs?: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** PingOne grant type → the extension's grant, when this version runs it. */
function mapGrant(grantType: string): Grant | undefined {
  const name = grantType.toLowerCase();
  return (GRANTS as readonly string[]).includes(name) ? (name as Grant) : undefined;
}

/** The browse list's view of one application from the API; undefined when it is not an object with an id. */
export function remoteApplication(raw: Record<string, unknown>): RemoteApplication | undefined {
  const id = str(raw.id);
  if (!id) return undefined;
  const protocol = str(raw.protocol) ?? 'UNKNOWN';
  const r: RemoteApplication = {
    id,
    name: str(raw.name) ?? id,
    type: str(raw.type) ?? 'UNKNOWN',
    protocol,
    enabled: raw.enabled !== false,
    grantTypes: strings(raw.grantTypes),
    tokenEndpointAuthMethod: str(raw.tokenEndpointAuthMethod),
    pkceEnforcement: str(raw.pkceEnforcement),
    parRequirement: str(raw.parRequirement),
    redirectUris: strings(raw.redirectUris),
    importable: false,
  };
  const plan = applicationInput(r);
  if ('reason' in plan) r.reason = plan.reason;
  else r.importable = true;
  return r;
}

/** The extension's application for a remote one (without its secret), and what the user should know. */
export function applicationInput(r: RemoteApplication): { input: ApplicationInput; notes: string[] } | { reason: string } {
  if (r.protocol !== 'OPENID_CONNECT') {
    return {
      reason: `a ${r.protocol === 'SAML' ? 'SAML' : r.protocol === 'WS_FED' ? 'WS-Federation' : r.protocol === 'EXTERNAL_LINK' ? 'link' : r.protocol} application, not OpenID Connect`,
    };
  }
  if (/^PING_ONE_(SELF_SERVICE|ADMIN_CONSOLE|PORTAL)$/.test(r.type) || r.type === 'PORTAL_LINK_APP' || r.type === 'TEMPLATE_APP') {
    return { reason: `a PingOne ${r.type.toLowerCase().replace(/_/g, ' ')}, managed by PingOne itself` };
  }
  const method = mapAuthMethod(r.tokenEndpointAuthMethod ?? 'CLIENT_SECRET_BASIC');
  if ('unsupported' in method) return { reason: method.unsupported };
  const notes: string[] = [];
  const grants = [...new Set(r.grantTypes.map(mapGrant).filter((g): g is Grant => g !== undefined))];
  const unknown = r.grantTypes.filter((g) => !mapGrant(g) && g !== 'REFRESH_TOKEN');
  if (!grants.length) return { reason: `no grant this version runs (${r.grantTypes.join(', ') || 'none'})` };
  if (method.method === 'none' && grants.includes('client_credentials')) grants.splice(grants.indexOf('client_credentials'), 1);
  if (!grants.length) return { reason: 'a public client with only the client-credentials grant' };
  if (unknown.length) notes.push(`Grants not available in this version: ${unknown.join(', ')}.`);
  if (r.parRequirement === 'REQUIRED') notes.push('PingOne requires pushed authorization requests (PAR) for this application: sign-in will push them.');
  if (method.method === 'private_key_jwt')
    notes.push(
      'PRIVATE_KEY_JWT: a tenant never hands out private keys. A new key is generated: register its public JWKS for the application (Copy Public JWKS), or import your own key with Edit Application.',
    );
  if (r.pkceEnforcement && r.pkceEnforcement !== 'OPTIONAL') notes.push(`PKCE ${r.pkceEnforcement}: satisfied (S256 is always sent).`);
  let redirectUri: string | undefined;
  const loopback = r.redirectUris.filter((u) => isLoopbackRedirect(u));
  if (grants.includes('authorization_code')) {
    for (const u of loopback) {
      try {
        redirectUri = validateRedirectUri(u);
        break;
      } catch {
        // Not a usable URI; try the next one.
      }
    }
    const others = r.redirectUris.filter((u) => u !== redirectUri);
    if (!redirectUri && r.redirectUris.length)
      notes.push(`No loopback redirect URI: sign-in from VS Code needs one such as http://127.0.0.1/callback; use Exchange Authorization Code meanwhile.`);
    if (others.length) notes.push(`Other redirect URIs: ${others.join(', ')}.`);
  }
  if (!r.enabled) notes.push('Disabled in PingOne.');
  return {
    input: {
      name: r.name.slice(0, 100),
      clientId: r.id,
      authMethod: method.method,
      grants,
      ...(redirectUri ? { redirectUri } : {}),
      ...(r.parRequirement === 'REQUIRED' ? { pushedAuthorization: 'always' } : {}),
    },
    notes,
  };
}
