/**
 * A hover for every language: on a JWT (three base64url segments whose header decodes to JSON with
 * `alg`) it shows the header, the main claims with `exp` / `iat` as local times and "expires in …",
 * the issuer and, when the issuer is a configured environment's, the signature state (checked
 * against that environment's key set; an unknown issuer is never contacted). Only the hovered
 * line is scanned, and at most MAX_SCAN characters of it around the cursor.
 */
import vscode = require('vscode');
import { decodeJwt, describeExpiry, numericDate } from '../core/jwt';
import type { TokenService } from '../core/service';
import type { SignatureState } from '../core/verify';
import { jwtAt } from './jwtFind';

export interface HoverDeps {
  service: TokenService;
  /** The signature state against a key set URL (loads the verification code on first use). */
  verify(token: string, jwksUrl: string): Promise<SignatureState>;
  now?: () => number;
}

const MAIN_CLAIMS = ['iss', 'sub', 'aud', 'client_id', 'azp', 'scope', 'preferred_username', 'email', 'acr', 'amr', 'sid', 'jti'];

function signatureLine(state: SignatureState | undefined, issuerKnown: boolean): string {
  if (!issuerKnown) return 'Signature: not checked (the issuer is not a configured environment; nothing was fetched)';
  if (!state) return 'Signature: not checked';
  switch (state.state) {
    case 'verified':
      return `Signature: ✓ verified (${state.alg}${state.kid ? `, kid ${state.kid}` : ''})`;
    case 'invalid':
      return `Signature: ✗ invalid: ${state.reason}`;
    case 'unknown_key':
      return `Signature: ? ${state.reason}`;
    default:
      return `Signature: ${state.reason}`;
  }
}

export class JwtHoverProvider implements vscode.HoverProvider {
  constructor(private readonly deps: HoverDeps) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const line = document.lineAt(position.line).text;
    const found = jwtAt(line, position.character);
    if (!found) return undefined;
    const { header, payload } = decodeJwt(found.token);
    const now = (this.deps.now ?? Date.now)();
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['pingone.decodeJwt', 'pingone.copyJwtClaims'] };
    md.appendMarkdown(`**JWT** · \`${String(header.alg)}\`${typeof header.typ === 'string' ? ` · ${header.typ}` : ''}\n\n`);
    const exp = numericDate(payload, 'exp');
    const iat = numericDate(payload, 'iat');
    const lines: string[] = [];
    if (exp !== undefined) lines.push(`exp: ${new Date(exp).toLocaleString()} (${describeExpiry(exp, now)})`);
    if (iat !== undefined) lines.push(`iat: ${new Date(iat).toLocaleString()}`);
    for (const claim of MAIN_CLAIMS) if (payload[claim] !== undefined) lines.push(`${claim}: ${JSON.stringify(payload[claim])}`);
    const iss = typeof payload.iss === 'string' ? payload.iss : undefined;
    const env = iss ? this.deps.service.listEnvironments().find((e) => e.issuer === iss || e.issuer.replace(/\/$/, '') === iss.replace(/\/$/, '')) : undefined;
    let state: SignatureState | undefined;
    if (env) {
      try {
        const endpoints = await this.deps.service.endpoints(env.id);
        state = endpoints.jwks ? await this.deps.verify(found.token, endpoints.jwks) : { state: 'not_verifiable', reason: 'the issuer publishes no key set' };
      } catch (err) {
        state = { state: 'not_verifiable', reason: `not checked: ${err instanceof Error ? err.message : String(err)}` };
      }
      lines.push(`Environment: ${env.name}`);
    }
    lines.push(signatureLine(state, env !== undefined));
    md.appendCodeblock(lines.join('\n'), 'text');
    md.appendMarkdown('Header\n');
    md.appendCodeblock(JSON.stringify(header, null, 2), 'json');
    const arg = encodeURIComponent(JSON.stringify([found.token]));
    md.appendMarkdown(`[Open in Token Inspector](command:pingone.decodeJwt?${arg}) · [Copy decoded claims](command:pingone.copyJwtClaims?${arg})`);
    const range = new vscode.Range(position.line, found.start, position.line, found.start + found.token.length);
    return new vscode.Hover(md, range);
  }
}

/** `pingone.copyJwtClaims`: the decoded header and payload as JSON on the clipboard (never the token). */
export async function copyJwtClaims(token: unknown): Promise<void> {
  if (typeof token !== 'string') return;
  const { header, payload } = decodeJwt(token);
  await vscode.env.clipboard.writeText(JSON.stringify({ header, payload }, null, 2));
  void vscode.window.setStatusBarMessage('PingOne: decoded claims copied', 3000);
}
