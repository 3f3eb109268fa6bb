/**
 * Auto-refresh glue: the `pingone.autoRefresh.*` settings, the per-token-set opt-in command, and
 * the single scheduler (core/scheduler.ts) fed from the token service.
 */
import vscode = require('vscode');
import { ExplorerError } from '../core/errors';
import { redact } from '../core/redact';
import { AutoRefreshScheduler } from '../core/scheduler';
import type { TokenService } from '../core/service';
import type { Log } from './log';

export function autoRefreshSettings(): { enabled: boolean; leadMs: number } {
  const c = vscode.workspace.getConfiguration('pingone.autoRefresh');
  const seconds = c.get<number>('secondsBeforeExpiry', 60);
  return { enabled: c.get<boolean>('enabled', false), leadMs: Math.max(5, Number.isFinite(seconds) ? seconds : 60) * 1000 };
}

export class AutoRefresh implements vscode.Disposable {
  private scheduler: AutoRefreshScheduler;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly service: TokenService,
    private readonly log: Log,
  ) {
    this.scheduler = this.create();
    this.disposables.push(
      service.onDidChange(() => this.scheduler.reschedule()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('pingone.autoRefresh')) {
          this.scheduler.dispose();
          this.scheduler = this.create();
          this.scheduler.reschedule();
        }
      }),
    );
    this.scheduler.reschedule();
  }

  private create(): AutoRefreshScheduler {
    const { enabled, leadMs } = autoRefreshSettings();
    return new AutoRefreshScheduler({
      leadMs,
      list: () =>
        enabled
          ? this.service
              .listTokenSets()
              .filter((t) => t.autoRefresh && (t.status === 'valid' || t.status === 'expired'))
              .map((t) => ({ id: t.id, expiresAt: t.expiresAt }))
          : [],
      // Another window may have refreshed the set meanwhile: then there is nothing to do.
      refresh: (id) => this.service.refresh(id, { onlyIfExpiringWithinMs: leadMs }),
      onError: (id, err) => this.log.error(`Auto-refresh of ${id} failed, will retry: ${err instanceof Error ? err.message : String(err)}`),
      onStopped: (id, err) => {
        const message = redact(err instanceof ExplorerError ? err.message : String(err));
        this.log.error(`Auto-refresh of ${id} stopped: ${message}`);
        void vscode.window.showWarningMessage(`Auto-refresh stopped: ${message}`, 'Sign In Again').then((choice) => {
          if (choice === 'Sign In Again') {
            const info = this.service.listTokenSets().find((t) => t.id === id);
            if (info) void vscode.commands.executeCommand('pingone.signIn', info.applicationId);
          }
        });
      },
    });
  }

  /** Whether auto-refresh is currently active for this set (opted in, setting on, not stopped). */
  isActive(id: string, optedIn: boolean): boolean {
    return optedIn && autoRefreshSettings().enabled && !this.scheduler.isStopped(id);
  }

  resume(id: string): void {
    this.scheduler.resume(id);
  }

  dispose(): void {
    this.scheduler.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
