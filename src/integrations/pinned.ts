/**
 * The token set pinned with "Use for Variables and Terminals": what `${command:pingone.accessToken}`
 * uses without asking, and what new integrated terminals get as PINGONE_ACCESS_TOKEN,
 * PINGONE_TOKEN_TYPE and PINGONE_ISSUER. The terminal collection is not persistent (VS Code would
 * write a persistent one to disk in plain text); it is updated after each refresh and cleared when
 * the set is unpinned or deleted. Only the id is stored (globalState), never a token.
 */
import vscode = require('vscode');
import type { TokenService } from '../core/service';

export const PINNED_KEY = 'pte.v1.pinnedTokenSet';

export class Pinned implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<string | undefined>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: { dispose(): void };
  /** The issuedAt the terminal environment was last written for. */
  private applied?: { id: string; issuedAt: number };

  constructor(
    private readonly state: vscode.Memento,
    private readonly service: TokenService,
    private readonly collection: vscode.EnvironmentVariableCollection,
    private readonly log: (message: string) => void,
  ) {
    collection.persistent = false;
    this.subscription = service.onDidChange(() => void this.sync());
  }

  get id(): string | undefined {
    const id = this.state.get<unknown>(PINNED_KEY);
    return typeof id === 'string' ? id : undefined;
  }

  async pin(id: string | undefined): Promise<void> {
    if (id !== undefined) this.service.getTokenSetInfo(id);
    await this.state.update(PINNED_KEY, id);
    this.applied = undefined;
    await this.sync();
    this.emitter.fire(id);
  }

  /** Brings the terminal environment in line with the pinned set (after activation, a refresh, a deletion). */
  async sync(): Promise<void> {
    const id = this.id;
    const info = id === undefined ? undefined : this.service.listTokenSets().find((t) => t.id === id);
    if (!info) {
      this.collection.clear();
      this.applied = undefined;
    }
    if (id !== undefined && !info) {
      // The pinned set was deleted: unpin.
      await this.state.update(PINNED_KEY, undefined);
      this.emitter.fire(undefined);
    }
    if (!info) return;
    if (this.applied?.id === info.id && this.applied.issuedAt === info.issuedAt) return;
    try {
      const set = await this.service.getTokenSet(info.id);
      const env = this.service.listEnvironments().find((e) => e.id === set.environmentId);
      const app = this.service.listApplications().find((a) => a.id === set.applicationId);
      this.collection.replace('PINGONE_ACCESS_TOKEN', set.accessToken);
      this.collection.replace('PINGONE_TOKEN_TYPE', set.tokenType);
      if (env) this.collection.replace('PINGONE_ISSUER', env.issuer);
      else this.collection.delete('PINGONE_ISSUER');
      this.collection.description = `PingOne access token of ${app?.name ?? 'an application'}${env ? ` · ${env.name}` : ''} (token set ${info.id})`;
      this.applied = { id: info.id, issuedAt: info.issuedAt };
    } catch (err) {
      this.log(`Terminal environment not updated: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
