/**
 * The typed message protocol between the Token Inspector panel (extension side) and its webview.
 * Both sides import this module; nothing else crosses the boundary. The webview receives decoded
 * header and claims and the raw segments of the token it shows; it never receives a client secret.
 */

export type TokenKind = 'access_token' | 'id_token' | 'refresh_token' | 'jwt';

export type SignatureView =
  | { state: 'verified'; alg: string; kid?: string }
  | { state: 'invalid' | 'unknown_key'; alg?: string; kid?: string; reason: string }
  | { state: 'not_verifiable'; reason: string }
  | { state: 'pending' };

export interface TokenView {
  kind: TokenKind;
  /** 'jwt' when decodable, 'opaque' otherwise (no claims then). */
  format: 'jwt' | 'opaque';
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  /** Raw segments for display (header, payload, signature); opaque tokens: the token itself. */
  raw: string[];
  /**
   * Set when the token text is deliberately not sent to the webview (refresh tokens: long-lived
   * secrets that the page has no reason to hold); `raw` is empty then. Copy still works: the
   * extension looks the token up itself.
   */
  concealed?: { length: number };
  signature: SignatureView;
}

export interface InspectorModel {
  /** The token set shown, when the tokens came from one (enables Refresh / Introspect). */
  tokenSetId?: string;
  title: string;
  subtitle?: string;
  /** Access-token expiry (epoch ms), or the JWT's exp for a bare JWT. */
  expiresAt?: number;
  /** When the token set was issued (epoch ms). */
  issuedAt?: number;
  /**
   * 'valid' | 'expired' | 'sign-in required' | 'revoked' for a token set (the webview turns 'valid'
   * into 'expired' itself when the countdown reaches zero); undefined for a bare JWT.
   */
  status?: string;
  canRefresh: boolean;
  canIntrospect: boolean;
  tokens: TokenView[];
  /**
   * Set when the token set's access token is DPoP-bound (RFC 9449, token_type DPoP): `jkt` is the
   * access token's `cnf.jkt` (absent for an opaque token), `ownKey` whether it is the thumbprint of
   * the key stored with the set (never the key itself).
   */
  dpop?: { jkt?: string; ownKey?: boolean };
}

/** Extension → webview. */
export type ToWebview =
  | {
      type: 'show';
      model: InspectorModel;
      /** The extension host's clock (epoch ms) when posted: the webview corrects for skew with it. */
      now: number;
      /** Select this token's tab (sent when the user asked for a specific token). */
      select?: TokenKind;
    }
  | { type: 'busy'; action: 'refresh' | 'introspect'; busy: boolean }
  | { type: 'introspection'; result: Record<string, unknown>; token?: IntrospectableKind }
  | { type: 'error'; message: string };

export type IntrospectableKind = 'access_token' | 'refresh_token';

/** Webview → extension. */
export type FromWebview =
  { type: 'ready' } | { type: 'refresh' } | { type: 'introspect'; token?: IntrospectableKind } | { type: 'copy'; what: 'token' | 'header' | 'payload'; kind: TokenKind };

export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; what?: unknown; kind?: unknown };
  switch (m.type) {
    case 'ready':
    case 'refresh':
      return true;
    case 'introspect': {
      const token = (value as { token?: unknown }).token;
      return token === undefined || token === 'access_token' || token === 'refresh_token';
    }
    case 'copy':
      return (
        (m.what === 'token' || m.what === 'header' || m.what === 'payload') &&
        (m.kind === 'access_token' || m.kind === 'id_token' || m.kind === 'refresh_token' || m.kind === 'jwt')
      );
    default:
      return false;
  }
}

const TOKEN_KINDS: readonly string[] = ['access_token', 'id_token', 'refresh_token', 'jwt'];

/** Shape check for messages arriving in the webview (the page ignores anything else). */
export function isToWebview(value: unknown): value is ToWebview {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'show': {
      const model = m.model as Partial<InspectorModel> | undefined;
      return (
        typeof m.now === 'number' &&
        typeof model === 'object' &&
        model !== null &&
        typeof model.title === 'string' &&
        Array.isArray(model.tokens) &&
        model.tokens.every((t) => typeof t === 'object' && t !== null && TOKEN_KINDS.includes(t.kind) && Array.isArray(t.raw)) &&
        (m.select === undefined || TOKEN_KINDS.includes(m.select as string))
      );
    }
    case 'busy':
      return (m.action === 'refresh' || m.action === 'introspect') && typeof m.busy === 'boolean';
    case 'introspection':
      return typeof m.result === 'object' && m.result !== null && !Array.isArray(m.result);
    case 'error':
      return typeof m.message === 'string';
    default:
      return false;
  }
}
