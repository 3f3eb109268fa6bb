/**
 * The Token Inspector's model, built from a stored token set or a bare JWT. Pure of `vscode`: the
 * panel supplies the context (names, endpoints, key cache) and posts the result to the webview.
 *
 * What the webview gets: decoded header and claims, the raw segments of access and ID tokens (it
 * shows them), and never a refresh token's text (`concealed`), nor any client secret.
 */
import { decodeJwt, looksLikeJwt, numericDate } from '../../core/jwt';
import { type TokenSet, isDpopBound, tokenStatus } from '../../core/tokenSet';
import { type JwksCache, NO_KEY_SET, verifySignature } from '../../core/verify';
import type { InspectorModel, SignatureView, TokenKind, TokenView } from './protocol';

/** One token to show: which it is and its text (extension side only). */
export interface TokenSource {
  kind: TokenKind;
  token: string;
}

export const KIND_LABEL: Record<TokenKind, string> = {
  access_token: 'Access token',
  id_token: 'ID token',
  refresh_token: 'Refresh token',
  jwt: 'JWT',
};

const GRANT_LABEL = {
  client_credentials: 'Client credentials',
  authorization_code: 'Sign-in',
  device_code: 'Device authorization',
  token_exchange: 'Token exchange',
  ciba: 'CIBA',
  password: 'Password grant',
} as const;

const STATUS_LABEL = { valid: 'valid', expired: 'expired', 'sign-in-required': 'sign-in required', revoked: 'revoked' } as const;

/** Refresh tokens stay on the extension side; the webview learns only that one exists. */
const CONCEALED: ReadonlySet<TokenKind> = new Set<TokenKind>(['refresh_token']);

/** Trims whitespace and a pasted `Bearer ` prefix. */
export function normaliseToken(text: string): string {
  return text
    .trim()
    .replace(/^Bearer\s+/i, '')
    .trim();
}

/** The tokens of a set, in display order: access, ID, refresh. */
export function sourcesOfSet(set: Pick<TokenSet, 'accessToken' | 'idToken' | 'refreshToken'>): TokenSource[] {
  const out: TokenSource[] = [{ kind: 'access_token', token: set.accessToken }];
  if (set.idToken) out.push({ kind: 'id_token', token: set.idToken });
  if (set.refreshToken) out.push({ kind: 'refresh_token', token: set.refreshToken });
  return out;
}

function decodeOrUndefined(token: string): ReturnType<typeof decodeJwt> | undefined {
  if (!looksLikeJwt(token)) return undefined;
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** A token's view with its signature still `pending` (opaque tokens: `not_verifiable` at once). */
export function tokenView(source: TokenSource): TokenView {
  const token = normaliseToken(source.token);
  const concealed = CONCEALED.has(source.kind);
  const decoded = decodeOrUndefined(token);
  if (!decoded) {
    const jwe = token.split('.').length === 5;
    return {
      kind: source.kind,
      format: 'opaque',
      raw: concealed ? [] : [token],
      ...(concealed ? { concealed: { length: token.length } } : {}),
      signature: {
        state: 'not_verifiable',
        reason: jwe ? 'Encrypted JWT (JWE): its contents and signature cannot be read without the key.' : 'Opaque token: only the server can tell; introspect it.',
      },
    };
  }
  return {
    kind: source.kind,
    format: 'jwt',
    header: decoded.header,
    payload: decoded.payload,
    raw: concealed ? [] : [...decoded.segments],
    ...(concealed ? { concealed: { length: token.length } } : {}),
    signature: { state: 'pending' },
  };
}

export interface TokenSetContext {
  /** The application's display name (the title); falls back to the grant. */
  applicationName?: string;
  clientId?: string;
  environmentName?: string;
  /** Whether the issuer has an introspection endpoint (unknown: pass true, the call reports). */
  canIntrospect: boolean;
  now: number;
  /** The RFC 7638 thumbprint of the set's DPoP key, when it has one. */
  dpopThumbprint?: string;
}

/** What the page says about a DPoP-bound set: the access token's cnf.jkt and whether it names the set's own key. */
function dpopView(set: TokenSet, thumbprint: string | undefined): InspectorModel['dpop'] {
  if (!isDpopBound(set)) return undefined;
  const cnf = decodeOrUndefined(normaliseToken(set.accessToken))?.payload.cnf as { jkt?: unknown } | undefined;
  const jkt = typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
  return { ...(jkt ? { jkt } : {}), ...(jkt && thumbprint ? { ownKey: jkt === thumbprint } : {}) };
}

/** Refresh applies with a refresh token that is not known to be dead, or to re-issue client credentials. */
export function canRefreshSet(set: Pick<TokenSet, 'refreshToken' | 'grant' | 'mark'>): boolean {
  if (set.grant === 'client_credentials') return true;
  return !!set.refreshToken && set.mark === undefined;
}

/** The model of a stored token set; signatures are `pending` until `verifyModel`. */
export function modelFromTokenSet(set: TokenSet, ctx: TokenSetContext): InspectorModel {
  const subtitle = [GRANT_LABEL[set.grant] ?? set.grant, ctx.environmentName, ctx.clientId ? `client ${ctx.clientId}` : undefined]
    .filter((s): s is string => !!s)
    .join(' · ');
  return {
    tokenSetId: set.id,
    title: ctx.applicationName ?? GRANT_LABEL[set.grant] ?? 'Token set',
    subtitle,
    expiresAt: set.expiresAt,
    issuedAt: set.issuedAt,
    status: STATUS_LABEL[tokenStatus(set, ctx.now)],
    canRefresh: canRefreshSet(set),
    canIntrospect: ctx.canIntrospect,
    tokens: sourcesOfSet(set).map(tokenView),
    ...(isDpopBound(set) ? { dpop: dpopView(set, ctx.dpopThumbprint) } : {}),
  };
}

/** The model of a bare token (pasted or selected): one tab, no Refresh or Introspect. */
export function modelFromJwt(text: string): InspectorModel {
  const view = tokenView({ kind: 'jwt', token: text });
  const iss = typeof view.payload?.iss === 'string' ? view.payload.iss : undefined;
  const sub = typeof view.payload?.sub === 'string' ? view.payload.sub : undefined;
  return {
    title: view.format === 'jwt' ? 'JWT' : 'Token',
    subtitle: view.format === 'jwt' ? [iss && `issuer ${iss}`, sub && `subject ${sub}`].filter(Boolean).join(' · ') : 'Opaque token',
    expiresAt: view.payload ? numericDate(view.payload, 'exp') : undefined,
    canRefresh: false,
    canIntrospect: false,
    tokens: [view],
  };
}

/** The issuer named by a token's `iss`, without trailing slashes; undefined for opaque tokens. */
export function issuerOf(text: string): string | undefined {
  const iss = decodeOrUndefined(normaliseToken(text))?.payload.iss;
  return typeof iss === 'string' ? iss.replace(/\/+$/, '') : undefined;
}

/** A token's signature state; never throws. */
export async function signatureOf(token: string, jwksUrl: string | undefined, cache: JwksCache): Promise<SignatureView> {
  try {
    return await verifySignature(normaliseToken(token), jwksUrl, cache);
  } catch (err) {
    return { state: 'not_verifiable', reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The model with every `pending` signature resolved against the issuer's key set. `jwksUrl`
 * undefined (unknown issuer, no `jwks_uri`) gives `not_verifiable` with `unknownIssuerReason`.
 */
export async function verifyModel(
  model: InspectorModel,
  sources: readonly TokenSource[],
  jwksUrl: string | undefined,
  cache: JwksCache,
  unknownIssuerReason = NO_KEY_SET,
): Promise<InspectorModel> {
  const tokens = await Promise.all(
    model.tokens.map(async (view): Promise<TokenView> => {
      if (view.signature.state !== 'pending') return view;
      const source = sources.find((s) => s.kind === view.kind);
      if (!source) return { ...view, signature: { state: 'not_verifiable', reason: 'The token is no longer available.' } };
      if (!jwksUrl) return { ...view, signature: { state: 'not_verifiable', reason: unknownIssuerReason } };
      return { ...view, signature: await signatureOf(source.token, jwksUrl, cache) };
    }),
  );
  return { ...model, tokens };
}

/** What "Copy token / header / claims" puts on the clipboard; undefined when there is nothing. */
export function copyText(sources: readonly TokenSource[], kind: TokenKind, what: 'token' | 'header' | 'payload'): string | undefined {
  const source = sources.find((s) => s.kind === kind);
  if (!source) return undefined;
  const token = normaliseToken(source.token);
  if (what === 'token') return token;
  const decoded = decodeOrUndefined(token);
  if (!decoded) return undefined;
  return JSON.stringify(what === 'header' ? decoded.header : decoded.payload, null, 2);
}

/**
 * A fingerprint of what the model shows, used to skip re-posting when an unrelated change fires
 * `onDidChange`. It hashes nothing secret into anything that leaves the extension host.
 */
export function modelKey(set: TokenSet, canIntrospect: boolean, now: number): string {
  return JSON.stringify([
    set.id,
    set.accessToken,
    set.idToken,
    set.refreshToken,
    set.mark,
    set.expiresAt,
    set.issuedAt,
    set.scope,
    canIntrospect,
    tokenStatus(set, now) === 'expired',
  ]);
}
