/**
 * Tree nodes. `contextValue` is a list of tags that menus match with regexes
 * (e.g. `viewItem =~ /\brefreshable\b/`), so only actions that make sense for a node appear.
 */
import vscode = require('vscode');
import type { Application } from '../core/application';
import type { Environment } from '../core/environment';
import { describeExpiry } from '../core/jwt';
import { TokenService, type TokenSetInfo } from '../core/service';
import { environmentChecks } from './checks';

export type Node = EnvironmentNode | ApplicationNode | TokenSetNode | TokenNode;

const KIND_LABEL = { pingone: 'PingOne', pingfederate: 'PingFederate', oidc: 'OpenID Connect' } as const;

export class EnvironmentNode extends vscode.TreeItem {
  readonly type = 'environment';
  constructor(readonly environment: Environment) {
    super(environment.name, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `env:${environment.id}`;
    this.contextValue = 'environment';
    this.description = environment.kind === 'pingone' ? `PingOne ${environment.region ?? 'custom'}` : KIND_LABEL[environment.kind];
    if (environment.origin === 'workspace') this.description += ' · workspace';
    this.iconPath = new vscode.ThemeIcon('globe');
    const check = environmentChecks.get(environment.id);
    if (check?.state === 'checking') this.description += ' · checking…';
    if (check?.state === 'reachable') this.description += ' · reachable';
    if (check?.state === 'failed') {
      this.description += ' · not reachable';
      this.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    }
    const checked =
      check?.state === 'reachable'
        ? check.discovery
          ? `Discovery: reachable, issuer \`${check.issuer}\``
          : 'The server answers but has no usable discovery document: the standard paths are used.'
        : check?.state === 'failed'
          ? `Discovery failed: ${esc(check.message)}`
          : '';
    this.tooltip = new vscode.MarkdownString(
      `**${esc(environment.name)}** (${KIND_LABEL[environment.kind]})\n\nIssuer: \`${environment.issuer}\`` +
        (environment.environmentId ? `\n\nEnvironment ID: \`${environment.environmentId}\`` : '') +
        (checked ? `\n\n${checked}` : ''),
    );
  }
}

export class ApplicationNode extends vscode.TreeItem {
  readonly type = 'application';
  constructor(
    readonly application: Application,
    tokenCount: number,
    environmentKind?: Environment['kind'],
    warning?: string,
  ) {
    super(application.name, tokenCount ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    // VS Code keeps an item's collapsible state by id; a new id when the first token set arrives
    // lets the row open to show it instead of staying a collapsed leaf.
    this.id = `app:${application.id}:${tokenCount ? 'tokens' : 'empty'}`;
    const tags = ['application', ...application.grants.map((g) => GRANT_TAG[g])];
    if (environmentKind === 'pingone' && application.grants.includes('authorization_code')) tags.push('flowsApi');
    if (application.authMethod === 'private_key_jwt') tags.push('privateKeyJwt');
    this.contextValue = tags.join(' ');
    this.description = application.origin === 'workspace' ? `${application.clientId} · workspace` : application.clientId;
    this.iconPath = warning
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
      : new vscode.ThemeIcon(application.authMethod === 'none' ? 'device-mobile' : 'key');
    this.tooltip = new vscode.MarkdownString(
      (warning ? `$(warning) ${esc(warning)}\n\n` : '') +
        `**${esc(application.name)}**\n\nClient ID: \`${application.clientId}\`\n\nAuth method: \`${application.authMethod}\`` +
        (application.signingAlg ? ` (${application.signingAlg})` : '') +
        (application.keyId ? `\n\nSigning key: \`${application.keyId}\`` : '') +
        (application.assertionAudience === 'issuer' ? '\n\nAssertion audience: the issuer' : '') +
        (application.dpop ? '\n\nDPoP-bound tokens' : '') +
        (application.pushedAuthorization ? `\n\nPushed authorization requests: ${application.pushedAuthorization}` : '') +
        (application.requestObject ? `\n\nSigned request objects: ${application.requestObject}` : '') +
        `\n\nGrants: ${application.grants.join(', ')}` +
        (application.scopes ? `\n\nScopes: \`${application.scopes}\`` : '') +
        (application.redirectUri ? `\n\nRedirect URI: \`${application.redirectUri}\`` : ''),
      true,
    );
  }
}

/** The `contextValue` tag of each grant an application has: its actions appear only with it. */
const GRANT_TAG = {
  client_credentials: 'clientCredentials',
  authorization_code: 'authorizationCode',
  device_code: 'deviceCode',
  token_exchange: 'tokenExchange',
  ciba: 'ciba',
  password: 'passwordGrant',
} as const;

const GRANT_LABEL = {
  client_credentials: 'Client credentials',
  authorization_code: 'Sign-in',
  device_code: 'Device',
  token_exchange: 'Exchanged',
  ciba: 'CIBA',
  password: 'Password',
} as const;

/** Grants whose tokens belong to a user (userinfo applies). */
const USER_GRANTS = new Set(['authorization_code', 'device_code', 'ciba', 'password']);

export function statusText(info: TokenSetInfo, now: number): string {
  switch (info.status) {
    case 'sign-in-required':
      return 'sign-in required';
    case 'revoked':
      return 'revoked';
    default:
      return describeExpiry(info.expiresAt, now);
  }
}

export class TokenSetNode extends vscode.TreeItem {
  readonly type = 'tokenSet';
  /** When this item was built (ms): getTreeItem reuses a fresh one. */
  readonly builtAt: number;
  constructor(
    readonly info: TokenSetInfo,
    readonly environment: Environment | undefined,
    readonly application: Application | undefined,
    now: number,
    private readonly autoRefreshing = false,
  ) {
    // A short label (who, for user sets) and the changing parts in the description, so the label
    // is not cut off at the default side-bar width.
    super(tokenSetLabel(info), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `tokens:${info.id}`;
    this.contextValue = tokenSetTags(info).join(' ');
    this.description = `${statusText(info, now)}${info.dpop ? ' · DPoP' : ''} · issued ${shortTime(info.issuedAt)}${autoRefreshing ? ' · auto-refresh' : ''}`;
    this.iconPath = statusIcon(info, now);
    this.command = { command: 'pingone.inspectToken', title: 'Inspect', arguments: [info.id] };
    this.builtAt = now;
  }

  /** The hover text (built on demand, see ExplorerTree.resolveTreeItem). */
  tooltipAt(now: number, subjectLabel?: string): vscode.MarkdownString {
    const { info, environment, application, autoRefreshing } = this;
    const exact = info.expiresAt ? `${new Date(info.expiresAt).toLocaleString()} (${new Date(info.expiresAt).toISOString()})` : 'unknown';
    return new vscode.MarkdownString(
      [
        `**${esc(tokenSetLabel(info))}** — ${statusText(info, now)}`,
        info.subject ? `Signed in as: \`${info.subject}\`` : undefined,
        `Issued: ${new Date(info.issuedAt).toLocaleString()}`,
        environment ? `Issuer: \`${environment.issuer}\`` : undefined,
        application ? `Client: \`${application.clientId}\` (${esc(application.name)})` : undefined,
        `Scope: ${info.scope ? `\`${info.scope}\`` : '—'}`,
        `Expires: ${exact}`,
        `Refresh token: ${info.hasRefreshToken ? 'yes' : 'no'} · ID token: ${info.hasIdToken ? 'yes' : 'no'}`,
        info.dpop ? "DPoP-bound: every use of the access token needs a fresh proof from this set's key (Copy as Authorization Header makes one)." : undefined,
        info.subjectTokenSetId ? `Exchanged from: ${esc(subjectLabel ?? info.subjectTokenSetId)}` : undefined,
        info.issuedTokenType ? `Issued token type: \`${info.issuedTokenType}\`` : undefined,
        `Auto-refresh: ${autoRefreshing ? 'on' : info.autoRefresh ? 'opted in (turn on "pingone.autoRefresh.enabled")' : 'off'}`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    );
  }
}

/** "Sign-in · demo.user", "Client credentials". */
export function tokenSetLabel(info: Pick<TokenSetInfo, 'grant' | 'subject'>): string {
  return info.subject ? `${GRANT_LABEL[info.grant]} · ${info.subject}` : GRANT_LABEL[info.grant];
}

// toLocaleTimeString with options builds a new formatter (and reads locale data) on every call;
// one formatter serves every row of every redraw.
let shortTimeFormat: Intl.DateTimeFormat | undefined;

/** "5:59 PM": the issue time in the description (the tooltip has the full date and time). */
function shortTime(ms: number): string {
  shortTimeFormat ??= new Intl.DateTimeFormat([], { hour: 'numeric', minute: '2-digit' });
  return shortTimeFormat.format(ms);
}

/**
 * The menu tags of a token set: only what still works. A revoked set offers Sign In Again (user
 * sets) and Delete; a set whose refresh token was refused offers Sign In Again instead of Refresh.
 */
export function tokenSetTags(info: TokenSetInfo): string[] {
  const user = info.grant === 'authorization_code';
  if (info.status === 'revoked') return ['revokedTokenSet', ...(user ? ['signInAgain'] : [])];
  const tags = ['tokenSet', 'introspectable', 'revocable'];
  const refreshable = TokenService.canRefresh(info) && info.status !== 'sign-in-required';
  if (refreshable) tags.push('refreshable');
  if (USER_GRANTS.has(info.grant)) tags.push('userinfo');
  if (info.status === 'sign-in-required') tags.push('signInRequired', 'signInAgain');
  if (refreshable) tags.push(info.autoRefresh ? 'autoRefreshOn' : 'autoRefreshOff');
  return tags;
}

function statusIcon(info: TokenSetInfo, now: number): vscode.ThemeIcon {
  if (info.status === 'sign-in-required') return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  if (info.status === 'revoked') return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
  if (info.status === 'expired') return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
  if (info.expiresAt !== undefined && info.expiresAt - now < 5 * 60_000) {
    return new vscode.ThemeIcon('watch', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  }
  return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
}

export type TokenRole = 'access_token' | 'refresh_token' | 'id_token';
const ROLE_LABEL: Record<TokenRole, string> = { access_token: 'Access token', refresh_token: 'Refresh token', id_token: 'ID token' };

export class TokenNode extends vscode.TreeItem {
  readonly type = 'token';
  constructor(
    readonly tokenSetId: string,
    readonly role: TokenRole,
    description: string,
  ) {
    super(ROLE_LABEL[role], vscode.TreeItemCollapsibleState.None);
    this.id = `token:${tokenSetId}:${role}`;
    this.contextValue = `token ${role}`;
    this.description = description;
    this.iconPath = new vscode.ThemeIcon(role === 'refresh_token' ? 'sync' : role === 'id_token' ? 'person' : 'shield');
    this.command = { command: 'pingone.inspectToken', title: 'Inspect', arguments: [{ tokenSetId, select: role }] };
  }
}

function esc(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
