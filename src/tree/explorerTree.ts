/**
 * The Environments → Applications → Token sets → tokens tree. Reads metadata only (globalState
 * index): no secret is read to draw it. Relative times stay current through the shared Ticker
 * (src/core/ticker.ts, also the status bar's): every TICK_MS it refreshes just the token-set
 * nodes, and only while the view is visible.
 */
import vscode = require('vscode');
import { type TokenService } from '../core/service';
import { describeExpiry } from '../core/jwt';
import { Ticker, type TickerSubscription } from '../core/ticker';
import { environmentChecks } from './checks';
import { ApplicationNode, EnvironmentNode, type Node, TokenNode, TokenSetNode } from './nodes';

const TICK_MS = 30_000;

export class ExplorerTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | Node[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private tokenSetNodes: TokenSetNode[] = [];
  /** The signature of what the tree last drew (see refresh). */
  private drawn?: string;
  private readonly ticking: TickerSubscription;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(
    private readonly service: TokenService,
    private readonly autoRefreshActive: (id: string, optedIn: boolean) => boolean = () => false,
    ticker: Ticker = new Ticker(),
    private readonly now: () => number = () => ticker.now(),
  ) {
    this.ticking = ticker.subscribe({ next: (now) => now + TICK_MS, tick: () => this.tick() });
    this.disposables.push(
      this.ticking,
      service.onDidChange(() => this.refresh()),
      environmentChecks.onDidChange(() => this.refresh()),
    );
  }

  /** Starts or stops the relative-time tick with the view's visibility. */
  setVisible(visible: boolean): void {
    this.ticking.setVisible(visible);
  }

  /**
   * Redraws the tree when something it draws changed. A redraw of the whole tree makes VS Code drop
   * every row's handle until it has fetched the rows again; a context-menu command chosen in that
   * moment reaches its handler without its row. So changes the tree does not show (a new client
   * secret, a cached discovery document, another window's write of the same data) draw nothing.
   */
  refresh(): void {
    const drawn = this.signature();
    if (drawn === this.drawn) return;
    this.drawn = drawn;
    this.emitter.fire(undefined);
  }

  /** Everything the rows show, except the passing time (the tick redraws the token sets for that). */
  private signature(): string {
    return JSON.stringify([
      this.service.listEnvironments().map((e) => [e, environmentChecks.get(e.id)]),
      this.service.listApplications().map((a) => [a, this.service.authMethodWarning(a)]),
      this.service.listTokenSets().map((t) => [t, this.autoRefreshActive(t.id, t.autoRefresh)]),
    ]);
  }

  private tick(): void {
    if (this.tokenSetNodes.length) this.emitter.fire(this.tokenSetNodes);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node instanceof TokenSetNode) {
      const now = this.now();
      // Just built by getChildren (VS Code asks for the item right after the children): use it.
      if (now - node.builtAt < 1000) return node;
      // Re-derive the time-dependent parts (description, icon, expired status): the node may be minutes old.
      const status =
        node.info.status === 'valid' || node.info.status === 'expired'
          ? node.info.expiresAt !== undefined && node.info.expiresAt <= now
            ? 'expired'
            : 'valid'
          : node.info.status;
      return new TokenSetNode({ ...node.info, status }, node.environment, node.application, now, this.autoRefreshActive(node.info.id, node.info.autoRefresh));
    }
    return node;
  }

  /** The token-set tooltip is built on hover only: with 1,000 sets it was a third of a redraw. */
  resolveTreeItem(item: vscode.TreeItem, node: Node): vscode.TreeItem {
    if (node instanceof TokenSetNode && item instanceof TokenSetNode) item.tooltip = item.tooltipAt(this.now(), this.subjectLabel(item.info.subjectTokenSetId));
    return item;
  }

  /** The node of a stored token set, for TreeView.reveal. */
  tokenSetNode(id: string): TokenSetNode | undefined {
    const info = this.service.listTokenSets().find((t) => t.id === id);
    if (!info) return undefined;
    const app = this.service.listApplications().find((a) => a.id === info.applicationId);
    const env = this.service.listEnvironments().find((e) => e.id === info.environmentId);
    return new TokenSetNode(info, env, app, this.now(), this.autoRefreshActive(info.id, info.autoRefresh));
  }

  /** "TV app · device_code · 10:31:05" for the subject of an exchanged set (still stored or not). */
  private subjectLabel(id: string | undefined): string | undefined {
    if (!id) return undefined;
    const subject = this.service.listTokenSets().find((t) => t.id === id);
    if (!subject) return 'a token set that has since been deleted';
    const app = this.service.listApplications().find((a) => a.id === subject.applicationId);
    return `${app?.name ?? '?'} · ${subject.grant} · ${new Date(subject.issuedAt).toLocaleTimeString()}`;
  }

  getParent(node: Node): Node | undefined {
    if (node instanceof ApplicationNode) {
      const env = this.service.listEnvironments().find((e) => e.id === node.application.environmentId);
      return env && new EnvironmentNode(env);
    }
    if (node instanceof TokenSetNode && node.application) {
      return new ApplicationNode(node.application, 1, node.environment?.kind);
    }
    return undefined;
  }

  getChildren(node?: Node): Node[] {
    const now = this.now();
    if (!node) {
      this.tokenSetNodes = [];
      // refresh() keeps the signature current on every change; only the first draw computes it here.
      this.drawn ??= this.signature();
      return this.service.listEnvironments().map((e) => new EnvironmentNode(e));
    }
    if (node instanceof EnvironmentNode) {
      const counts = this.service.countTokenSets();
      return this.service
        .listApplications(node.environment.id)
        .map((a) => new ApplicationNode(a, counts.get(a.id) ?? 0, node.environment.kind, this.service.authMethodWarning(a)));
    }
    if (node instanceof ApplicationNode) {
      const env = this.service.listEnvironments().find((e) => e.id === node.application.environmentId);
      const nodes = this.service
        .listTokenSets(node.application.id)
        .sort((a, b) => b.issuedAt - a.issuedAt)
        .map((t) => new TokenSetNode(t, env, node.application, now, this.autoRefreshActive(t.id, t.autoRefresh)));
      this.tokenSetNodes = [...this.tokenSetNodes.filter((n) => n.application?.id !== node.application.id), ...nodes];
      return nodes;
    }
    if (node instanceof TokenSetNode) {
      const info = node.info;
      const children = [new TokenNode(info.id, 'access_token', describeExpiry(info.expiresAt, now))];
      if (info.hasRefreshToken) children.push(new TokenNode(info.id, 'refresh_token', ''));
      if (info.hasIdToken) children.push(new TokenNode(info.id, 'id_token', ''));
      return children;
    }
    return [];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
