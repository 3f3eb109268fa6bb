/**
 * The workspace file `.vscode/pingone.json` in each workspace folder: read when the extension
 * starts and whenever the file changes, its entries shown beside the user's own (see
 * TokenService.setWorkspaceEntries). Only in trusted workspaces: an untrusted folder's file could
 * point an application at any server. A confidential application without a stored secret is asked
 * for it once per window; the secret goes to this user's SecretStorage.
 */
import vscode = require('vscode');
import type { Application } from '../core/application';
import type { Environment } from '../core/environment';
import { WORKSPACE_FILE } from '../core/basics';
import type { TokenService } from '../core/service';
import type { WorkspaceEntries } from '../core/workspace';
import type { Log } from '../platform/log';

/** core/workspace's parser; it ships in dist/features.js and loads once a folder has the file. */
export type ParseWorkspaceFile = (text: string) => WorkspaceEntries;

export class WorkspaceFile implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private readonly reported = new Set<string>();
  private readonly asked = new Set<string>();
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly service: TokenService,
    private readonly log: Log,
    private readonly parse: ParseWorkspaceFile,
  ) {}

  start(): void {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.watch()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reload()),
    );
    // Creating the file watchers is the most expensive call activation would make (about 2 ms), so
    // it is done right after activation returns; watch() then reads the file, as after every change.
    const arm = setTimeout(() => this.watch(), 0);
    this.disposables.push({ dispose: () => clearTimeout(arm) });
  }

  private watch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, WORKSPACE_FILE));
      const reload = () => void this.reload();
      this.watchers.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload));
    }
    void this.reload();
  }

  /** Where export writes: the first workspace folder's file. */
  fileUri(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && vscode.Uri.joinPath(folder.uri, WORKSPACE_FILE);
  }

  /** Re-reads every folder's file (serialised: the last read wins). */
  reload(): Promise<void> {
    this.pending = this.pending.then(() => this.read()).catch((err: unknown) => this.log.error(`Reading ${WORKSPACE_FILE} failed: ${String(err)}`));
    return this.pending;
  }

  private async read(): Promise<void> {
    const environments: Environment[] = [];
    const applications: Application[] = [];
    const problems: string[] = [];
    if (vscode.workspace.isTrusted) {
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const uri = vscode.Uri.joinPath(folder.uri, WORKSPACE_FILE);
        let text: string;
        try {
          text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        } catch {
          continue; // no file in this folder
        }
        const entries = this.parse(text);
        environments.push(...entries.environments.filter((e) => !environments.some((x) => x.id === e.id)));
        applications.push(...entries.applications.filter((a) => !applications.some((x) => x.id === a.id)));
        problems.push(...entries.problems.map((p) => ((vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `${folder.name}: ${p}` : p)));
      }
    }
    this.service.setWorkspaceEntries({ environments, applications });
    for (const p of problems) {
      if (this.reported.has(p)) continue;
      this.reported.add(p);
      this.log.error(p);
      void vscode.window.showWarningMessage(`PingOne Token Explorer: ${p}`);
    }
    await this.askMissingSecrets(applications);
  }

  /** One question per application and window: enter the secret now (kept in SecretStorage) or later. */
  private async askMissingSecrets(applications: Application[]): Promise<void> {
    for (const app of applications) {
      if (app.authMethod === 'none' || this.asked.has(app.id) || (await this.service.hasClientSecret(app.id))) continue;
      this.asked.add(app.id);
      void vscode.window
        .showInformationMessage(
          `The workspace's application "${app.name}" needs its client secret. It is kept in your SecretStorage only, never in the file.`,
          'Enter Secret',
        )
        .then((answer) => (answer ? vscode.commands.executeCommand('pingone.enterClientSecret', app.id) : undefined));
    }
  }

  dispose(): void {
    for (const d of [...this.watchers, ...this.disposables]) d.dispose();
  }
}
