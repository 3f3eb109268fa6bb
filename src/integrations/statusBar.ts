/**
 * The status bar item of the token set pinned for variables and terminals: the application and
 * the time left, on the warning colour in the last NEAR_EXPIRY_MS and the error colour once expired
 * (or revoked, or needing a sign-in). A click opens the Token Inspector. It exists only while a set
 * is pinned. It has no timer of its own: it subscribes to the shared Ticker (src/core/ticker.ts),
 * as the tree does, and counts as visible only while the item is shown and the window has focus;
 * it asks to be woken at the next change of the displayed time or colour, whichever comes first.
 * Metadata only: no secret is read.
 */
import vscode = require('vscode');
import { formatDuration } from '../core/duration';
import type { TokenService } from '../core/service';
import type { Ticker, TickerSubscription } from '../core/ticker';
import type { Pinned } from './pinned';

export const NEAR_EXPIRY_MS = 5 * 60_000;
const MAX_SLEEP_MS = 60_000;

export class PinnedStatusBar implements vscode.Disposable {
  private item?: vscode.StatusBarItem;
  /** When the displayed text or colour next changes (epoch ms), or undefined. */
  private wakeAt?: number;
  private readonly ticking: TickerSubscription;
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    private readonly service: TokenService,
    private readonly pinned: Pinned,
    private readonly ticker: Ticker,
  ) {
    this.ticking = ticker.subscribe({ next: () => this.wakeAt, tick: () => this.update() });
    this.subscriptions = [
      this.ticking,
      service.onDidChange(() => this.update()),
      pinned.onDidChange(() => this.update()),
      vscode.window.onDidChangeWindowState(() => this.update()),
    ];
    this.update();
  }

  update(): void {
    this.wakeAt = this.render();
    this.ticking.setVisible(this.item !== undefined && vscode.window.state.focused);
    this.ticking.reschedule();
  }

  /** Draws the item (or removes it); returns when it next needs drawing. */
  private render(): number | undefined {
    const id = this.pinned.id;
    const info = id === undefined ? undefined : this.service.listTokenSets().find((t) => t.id === id);
    if (!info) {
      this.item?.dispose();
      this.item = undefined;
      return undefined;
    }
    const item = (this.item ??= vscode.window.createStatusBarItem('pingone.pinned', vscode.StatusBarAlignment.Left, 50));
    item.name = 'PingOne Token';
    const app = this.service.listApplications().find((a) => a.id === info.applicationId);
    const env = this.service.listEnvironments().find((e) => e.id === info.environmentId);
    const now = this.ticker.now();
    const left = info.expiresAt === undefined ? undefined : info.expiresAt - now;
    const dead = info.status === 'revoked' || info.status === 'sign-in-required' || (left !== undefined && left <= 0);
    const when =
      info.status === 'revoked'
        ? 'revoked'
        : info.status === 'sign-in-required'
          ? 'sign-in required'
          : left === undefined
            ? 'no expiry'
            : left <= 0
              ? 'expired'
              : formatDuration(left);
    item.text = `$(key) ${app?.name ?? 'PingOne'} · ${when}`;
    item.backgroundColor = dead
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : left !== undefined && left <= NEAR_EXPIRY_MS
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
    item.tooltip = `PingOne token for variables and terminals: ${app?.name ?? info.applicationId}${env ? ` · ${env.name}` : ''} (${info.grant}${info.scope ? `, ${info.scope}` : ''}). ${
      left === undefined || info.expiresAt === undefined ? 'No expiry.' : left > 0 ? `Expires ${new Date(info.expiresAt).toLocaleTimeString()}.` : 'Expired.'
    } Click to inspect.`;
    item.command = { title: 'Inspect Token', command: 'pingone.inspectToken', arguments: [info.id] };
    item.show();
    if (left === undefined || left <= 0 || dead) return undefined;
    // Next wake-up: the colour change, or the next change of the displayed time.
    const toWarning = left - NEAR_EXPIRY_MS;
    const step = left < 60_000 ? 1000 : left < 3_600_000 ? 60_000 : MAX_SLEEP_MS;
    return now + Math.max(250, Math.min(left % step || step, toWarning > 0 ? toWarning : Infinity, left, MAX_SLEEP_MS));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item?.dispose();
  }
}
