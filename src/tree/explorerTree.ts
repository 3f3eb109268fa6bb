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
  /** The token-set rows drawn last, by application: what the tick redraws. */
  private readonly tokenSetNodes = new Map<string, { environmentId: string; nodes: TokenSetNode[] }>();
  /** The environment rows drawn last, by environment id: a change inside one redraws that row only. */
  private environmentNodes = new Map<string, EnvironmentNode>();
  /** What the tree last drew (see refresh): the list of environments, and each one's subtree. */
  private drawn?: { roots: string; environments: Map<string, string> };
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
   * Redraws what changed. A redraw of the whole tree makes VS Code drop every row's handle until it
   * has fetched the rows again, and a context-menu command chosen in that moment reaches its
   * handler without its row (it then asks "Choose an application"). So changes the tree does not
   * show (a new client secret, a cached discovery document, another window's write of the same
   * data) draw nothing, and a change inside one environment (its check, an application, a token
   * set) redraws that environment's row and below only: the rows of the others keep their handles.
   * Only a new, removed or reordered environment redraws the whole tree.
   */
  refresh(): void {
    const drawn = this.signature();
    const before = this.drawn;
    this.drawn = drawn;
    if (!before || before.roots !== drawn.roots) return this.emitter.fire(undefined);
    const changed: EnvironmentNode[] = [];
    for (const [id, subtree] of drawn.environments) {
      if (before.environments.get(id) === subtree) continue;
      const node = this.environmentNodes.get(id);
      if (!node) return this.emitter.fire(undefined); // not drawn yet: nothing to point at
      changed.push(node);
    }
    if (changed.length) this.emitter.fire(changed);
  }

  /** Everything the rows show, by environment, except the passing time (the tick redraws the token sets for that). */
  private signature(): { roots: string; environments: Map<string, string> } {
    const environments = this.service.listEnvironments();
    const parts = new Map<string, unknown[][]>(environments.map((e) => [e.id, [[e, environmentChecks.get(e.id)], [], []]]));
    for (const a of this.service.listApplications()) parts.get(a.environmentId)?.[1].push([a, this.service.authMethodWarning(a)]);
    for (const t of this.service.listTokenSets()) parts.get(t.environmentId)?.[2].push([t, this.autoRefreshActive(t.id, t.autoRefresh)]);
    return {
      roots: JSON.stringify(environments.map((e) => e.id)),
      environments: new Map([...parts].map(([id, p]) => [id, JSON.stringify(p)])),
    };
  }

  private tick(): void {
    const nodes = [...this.tokenSetNodes.values()].flatMap((e) => e.nodes);
    if (nodes.length) this.emitter.fire(nodes);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    // An environment row redrawn on its own (see refresh) is the instance drawn before: draw it from the stored environment.
    if (node instanceof EnvironmentNode) {
      const current = this.service.listEnvironments().find((e) => e.id === node.environment.id);
      return current && current !== node.environment ? new EnvironmentNode(current) : node;
    }
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
      this.tokenSetNodes.clear();
      // refresh() keeps the signature current on every change; only the first draw computes it here.
      this.drawn ??= this.signature();
      const nodes = this.service.listEnvironments().map((e) => new EnvironmentNode(e));
      this.environmentNodes = new Map(nodes.map((n) => [n.environment.id, n]));
      return nodes;
    }
    if (node instanceof EnvironmentNode) {
      for (const [appId, drawn] of this.tokenSetNodes) if (drawn.environmentId === node.environment.id) this.tokenSetNodes.delete(appId);
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
      this.tokenSetNodes.set(node.application.id, { environmentId: node.application.environmentId, nodes });
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
