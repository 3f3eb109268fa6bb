/**
 * The status bar item of the token set pinned for variables and terminals: the application and
 * the time left, on the warning colour in the last NEAR_EXPIRY_MS and the error colour once expired
 * (or revoked, or needing a sign-in). A click opens the Token Inspector. It exists only while a set
 * is pinned, and its one timer runs only then, while the window has focus: it wakes at the next
 * minute boundary or colour change, whichever comes first. Metadata only: no secret is read.
 */
import vscode = require('vscode');
import { formatDuration } from '../core/duration';
import type { TokenService } from '../core/service';
import type { Pinned } from './pinned';

export const NEAR_EXPIRY_MS = 5 * 60_000;
const MAX_SLEEP_MS = 60_000;

export class PinnedStatusBar implements vscode.Disposable {
  private item?: vscode.StatusBarItem;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    private readonly service: TokenService,
    private readonly pinned: Pinned,
    private readonly now: () => number = Date.now,
  ) {
    this.subscriptions = [
      service.onDidChange(() => this.update()),
      pinned.onDidChange(() => this.update()),
      vscode.window.onDidChangeWindowState(() => this.update()),
    ];
    this.update();
  }

  update(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const id = this.pinned.id;
    const info = id === undefined ? undefined : this.service.listTokenSets().find((t) => t.id === id);
    if (!info) {
      this.item?.dispose();
      this.item = undefined;
      return;
    }
    const item = (this.item ??= vscode.window.createStatusBarItem('pingone.pinned', vscode.StatusBarAlignment.Left, 50));
    item.name = 'PingOne Token';
    const app = this.service.listApplications().find((a) => a.id === info.applicationId);
    const env = this.service.listEnvironments().find((e) => e.id === info.environmentId);
    const now = this.now();
    const left = info.expiresAt === undefined ? undefined : info.expiresAt - now;
    const dead = info.status === 'revoked' || info.status === 'sign-in-required' || (left !== undefined && left <= 0);
    const when =
      info.status === 'revoked' ? 'revoked' : info.status === 'sign-in-required' ? 'sign-in required' : left === undefined ? 'no expiry' : left <= 0 ? 'expired' : formatDuration(left);
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
    if (left === undefined || left <= 0 || dead || !vscode.window.state.focused) return;
    // Next wake-up: the colour change, or the next change of the displayed time.
    const toWarning = left - NEAR_EXPIRY_MS;
    const step = left < 60_000 ? 1000 : left < 3_600_000 ? 60_000 : MAX_SLEEP_MS;
    const sleep = Math.max(250, Math.min(left % step || step, toWarning > 0 ? toWarning : Infinity, left, MAX_SLEEP_MS));
    this.timer = setTimeout(() => this.update(), sleep);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item?.dispose();
  }
}
