/**
 * The `pingone` authentication provider: other extensions get a PingOne token with
 * `vscode.authentication.getSession('pingone', scopes, options)`. A session is a stored token set;
 * pseudo-scopes (`client:`, `app:`, `env:`) pick where it comes from and are never sent to a server.
 */
import vscode = require('vscode');
import type { TokenService, TokenSetInfo } from '../core/service';
import { accountOf, ensureFresh, matches, parseScopes, usable } from './tokenAccess';

export const AUTH_PROVIDER_ID = 'pingone';

export interface AuthProviderDeps {
  service: TokenService;
  /** Seconds a returned access token must still be valid for (refreshed first otherwise). */
  minValiditySeconds: () => number;
  /** Runs the application's grant (client credentials or browser sign-in); undefined when cancelled. */
  create(applicationId: string, scope: string | undefined): Promise<TokenSetInfo | undefined>;
  /** Picks one of several applications; undefined when cancelled. */
  chooseApplication(applicationIds: string[]): Promise<string | undefined>;
  /** Asks, then removes (and optionally revokes) a token set; false when cancelled. */
  remove(tokenSetId: string): Promise<boolean>;
  log(message: string): void;
  now?: () => number;
}

/** What the change events need to know about a session without reading its secret. */
interface Known {
  issuedAt: number;
  session: vscode.AuthenticationSession;
}

export class PingOneAuthenticationProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.emitter.event;
  /** Token set id → its last issuedAt: a new issuedAt under the same id is a refresh. */
  private readonly issued = new Map<string, number>();
  private readonly known = new Map<string, Known>();
  private readonly subscription: { dispose(): void };
  private readonly now: () => number;

  constructor(private readonly deps: AuthProviderDeps) {
    this.now = deps.now ?? Date.now;
    for (const t of deps.service.listTokenSets()) this.issued.set(t.id, t.issuedAt);
    this.subscription = deps.service.onDidChange(() => void this.diff());
  }

  /** Compares the stored token sets with the last seen ones and fires added / removed / changed. */
  private async diff(): Promise<void> {
    const now = new Map(this.deps.service.listTokenSets().map((t) => [t.id, t.issuedAt] as const));
    const added: string[] = [];
    const changed: string[] = [];
    const removed: vscode.AuthenticationSession[] = [];
    for (const [id, issuedAt] of now) {
      const before = this.issued.get(id);
      if (before === undefined) added.push(id);
      else if (before !== issuedAt) changed.push(id);
    }
    for (const id of this.issued.keys()) {
      if (!now.has(id)) removed.push(this.known.get(id)?.session ?? { id, accessToken: '', account: { id, label: id }, scopes: [] });
    }
    this.issued.clear();
    for (const [id, issuedAt] of now) this.issued.set(id, issuedAt);
    for (const s of removed) this.known.delete(s.id);
    if (!added.length && !changed.length && !removed.length) return;
    const sessions = async (ids: string[]) => (await Promise.all(ids.map((id) => this.session(id).catch(() => undefined)))).filter((s) => s !== undefined);
    this.emitter.fire({ added: await sessions(added), removed, changed: await sessions(changed) });
  }

  private async session(id: string): Promise<vscode.AuthenticationSession> {
    const set = await this.deps.service.getTokenSet(id);
    const session: vscode.AuthenticationSession = {
      id: set.id,
      accessToken: set.accessToken,
      account: accountOf(this.deps.service, set),
      scopes: (set.scope ?? '').split(/\s+/).filter(Boolean),
    };
    this.known.set(id, { issuedAt: set.issuedAt, session: { ...session, accessToken: '' } });
    return session;
  }

  async getSessions(scopes: readonly string[] | undefined, options?: vscode.AuthenticationProviderSessionOptions): Promise<vscode.AuthenticationSession[]> {
    const { service } = this.deps;
    const query = parseScopes(scopes);
    const sets = service
      .listTokenSets()
      .filter((t) => matches(service, t, query) && usable(t))
      .sort((a, b) => b.issuedAt - a.issuedAt);
    const minValidityMs = this.deps.minValiditySeconds() * 1000;
    // No scopes: VS Code listing accounts (the Accounts menu in every new window, getAccounts),
    // not an extension asking for a token. The sets are listed as stored, with no refresh: a
    // window opening must not rotate every stale refresh token. A token is refreshed when it is
    // asked for (scopes given, even none: getSession passes an empty list).
    const listing = scopes === undefined;
    const out: vscode.AuthenticationSession[] = [];
    for (const t of sets) {
      try {
        // Expired or about to: refreshed first (single flight); one that cannot be is left out.
        if (!listing) await ensureFresh(service, t.id, minValidityMs, this.now);
        const session = await this.session(t.id);
        if (!options?.account || options.account.id === session.account.id) out.push(session);
      } catch (err) {
        this.deps.log(`Authentication provider: token set ${t.id} left out: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return out;
  }

  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    const { service } = this.deps;
    const query = parseScopes(scopes);
    const apps = service
      .listApplications()
      .filter((a) => (query.applicationId === undefined || a.id === query.applicationId) && (query.clientId === undefined || a.clientId === query.clientId))
      .filter(
        (a) =>
          query.environmentId === undefined ||
          a.environmentId === query.environmentId ||
          service.listEnvironments().find((e) => e.id === a.environmentId)?.environmentId === query.environmentId,
      )
      .filter((a) => a.grants.length > 0);
    if (!apps.length) throw new Error('No PingOne application matches this request: add one in the PingOne view first.');
    const appId = apps.length === 1 ? apps[0].id : await this.deps.chooseApplication(apps.map((a) => a.id));
    if (appId === undefined) throw new vscode.CancellationError();
    const info = await this.deps.create(appId, query.scopes.length ? query.scopes.join(' ') : undefined);
    if (!info) throw new vscode.CancellationError();
    // The service's change event reports it as added (see diff).
    return this.session(info.id);
  }

  async removeSession(sessionId: string): Promise<void> {
    if (!(await this.deps.remove(sessionId))) throw new vscode.CancellationError();
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

/** Registers the provider with the dialogs it needs: the application pick, the grant, the revoke question. */
export function registerAuthenticationProvider(deps: Pick<AuthProviderDeps, 'service' | 'minValiditySeconds' | 'log'>): vscode.Disposable {
  const { service } = deps;
  const provider = new PingOneAuthenticationProvider({
    ...deps,
    create: async (applicationId, scope) => {
      const app = service.getApplication(applicationId);
      const command = app.grants.includes('client_credentials') ? 'pingone.getToken' : 'pingone.signIn';
      return vscode.commands.executeCommand<TokenSetInfo | undefined>(command, applicationId, scope ? { scope } : undefined);
    },
    chooseApplication: async (ids) => {
      const envName = (id: string) => service.listEnvironments().find((e) => e.id === id)?.name ?? '';
      const items = ids.map((id) => service.getApplication(id)).map((a) => ({ label: a.name, description: `${a.clientId} · ${envName(a.environmentId)}`, id: a.id }));
      return (await vscode.window.showQuickPick(items, { placeHolder: 'Choose the PingOne application to sign in with', ignoreFocusOut: true }))?.id;
    },
    remove: async (id) => {
      const info = service.getTokenSetInfo(id);
      const app = service.listApplications().find((a) => a.id === info.applicationId)?.name ?? 'this application';
      const revocable = info.status === 'valid' || info.status === 'expired';
      const revoke = { label: 'Revoke at the server, then delete', revoke: true };
      const keep = { label: 'Delete from VS Code only', revoke: false };
      const answer = await vscode.window.showQuickPick(revocable ? [revoke, keep] : [keep], {
        title: `Sign out of ${app}`,
        placeHolder: 'Revoke the tokens at the server before deleting them from VS Code?',
        ignoreFocusOut: true,
      });
      if (answer === undefined) return false;
      if (answer.revoke) await service.revoke(id);
      await service.deleteTokenSet(id);
      deps.log(`Signed out of ${app}: token set ${id} deleted${answer.revoke ? ' after revoking it' : ''}.`);
      return true;
    },
  });
  const registration = vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, 'PingOne', provider, { supportsMultipleAccounts: true });
  return vscode.Disposable.from(registration, provider);
}
