/**
 * Entry point: wires the pure token service to VS Code (SecretStorage, globalState, the tree, the
 * commands, the inspector) and returns the public API. Activation reads no secret and makes no
 * request: everything here is registration.
 */
import * as path from 'node:path';
import vscode = require('vscode');
import { type PingOneTokenExplorerApi, createApi } from './api';
import type { CommandContext } from './commands/context';
import { COMMAND_IDS, type CommandHandler, type ImmediateCommandId, type OnDemandCommandId, isOnDemand } from './commands/ids';
import type { CrossWindowLock } from './core/lock';
import { SYNCED_KEYS, TokenService } from './core/service';
import { OwnWritesState } from './core/ownWrites';
import { Ticker } from './core/ticker';
import { AutoRefresh } from './platform/autoRefresh';
import { Log } from './platform/log';
import { confirmOrigins } from './platform/origins';
import { requestTimeoutMs } from './platform/settings';
import { createTokenAccessGate } from './platform/tokenAccess';
import { ExplorerTree } from './tree/explorerTree';
import { WorkspaceFile } from './workspace/workspaceFile';
import { registerAuthenticationProvider } from './integrations/authProvider';
import { minValiditySeconds } from './integrations/settings';
import { Pinned } from './integrations/pinned';
import { PinnedStatusBar } from './integrations/statusBar';
import { type LazyDeps, lazyCommands, registerLazyIntegrations } from './integrations/register';

/**
 * Command handlers, the inspector and the grant code live in dist/features.js, required on first
 * use (a lazy require the extension build keeps lazy): activation parses only what it runs.
 */
let loaded: typeof import('./features') | undefined;
const features = () => (loaded ??= require('./features') as typeof import('./features'));

export function activate(context: vscode.ExtensionContext): PingOneTokenExplorerApi {
  const log = new Log();
  // Every window of this editor shares the global storage folder: refreshes take turns there. The
  // lock is loaded with the grant code, on the first refresh or revocation.
  const lockFolder = path.join(context.globalStorageUri.fsPath, 'locks');
  let fileLock: CrossWindowLock | undefined;
  const service = new TokenService({
    state: new OwnWritesState(context.globalState),
    secrets: context.secrets,
    confirmOrigins,
    // Proxies, proxy authentication and the OS's certificates are VS Code's: its proxy support
    // (`http.proxySupport`) routes every https request an extension makes.
    http: () => ({ timeoutMs: requestTimeoutMs(), log: (entry) => log.request(entry) }),
    lock: { acquire: (key, opts) => (fileLock ??= new (features().FileLock)(lockFolder)).acquire(key, opts) },
  });
  context.globalState.setKeysForSync(SYNCED_KEYS);

  const changed = new vscode.EventEmitter<void>();
  const autoRefresh = new AutoRefresh(service, log);
  // One timer for every countdown on screen (tree, status bar), running only while one is visible.
  const ticker = new Ticker();
  const tree = new ExplorerTree(service, (id, optedIn) => autoRefresh.isActive(id, optedIn), ticker);
  const view = vscode.window.createTreeView('pingone.explorer', { treeDataProvider: tree, showCollapseAll: true });
  tree.setVisible(view.visible);

  let reported = 0;
  const reportProblems = () => {
    // Corrupt entries are skipped by the service; tell the user once per new problem.
    for (const problem of service.problems.slice(reported)) {
      log.error(problem);
      void vscode.window.showWarningMessage(`PingOne Token Explorer: ${problem}`);
    }
    reported = service.problems.length;
  };

  const reveal = (id: string) => {
    const node = tree.tokenSetNode(id);
    if (node && view.visible) void Promise.resolve(view.reveal(node, { select: true, focus: false, expand: false })).catch(() => undefined);
  };
  const workspaceFile = new WorkspaceFile(service, log, (text) => features().parseWorkspaceFile(text));
  const tokenAccess = createTokenAccessGate();
  const ctx: CommandContext = { extensionUri: context.extensionUri, service, log, autoRefresh, reveal, workspaceFile, tokenAccess };
  const pinned = new Pinned(context.globalState, service, context.environmentVariableCollection, (m) => log.info(m));
  const lazy: LazyDeps = { service, pinned, log, parts: features, verify: (token, jwksUrl) => features().verifySignature(token, jwksUrl, service.jwks) };
  const immediate: Record<ImmediateCommandId, CommandHandler> = {
    'pingone.refreshView': () => service.reload(),
    'pingone.showLog': () => log.channel.show(),
    ...lazyCommands(lazy),
  };
  let handlers: Record<OnDemandCommandId, CommandHandler> | undefined;
  const onDemand = (id: OnDemandCommandId) => vscode.commands.registerCommand(id, (...args: unknown[]) => (handlers ??= features().commandHandlers(ctx))[id](...args));
  context.subscriptions.push(
    log,
    { dispose: () => loaded?.disposeInspector() },
    changed,
    autoRefresh,
    ticker,
    tree,
    view,
    view.onDidChangeVisibility((e) => {
      tree.setVisible(e.visible);
      if (e.visible) reportProblems();
    }),
    service.onDidChange(() => {
      changed.fire();
      reportProblems();
    }),
    // A stored token set or secret changed (also from another window): redraw from the shared
    // stores. Endpoints and key sets stay cached: every token write lands here too.
    context.secrets.onDidChange((e) => {
      if (e.key.startsWith('pte.v1.')) service.storedDataChanged();
    }),
    // A setting changes what is drawn (auto-refresh), not what a server published: endpoints and
    // key sets stay cached (the Refresh button forgets them).
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('pingone')) service.storedDataChanged();
    }),
    ...Object.entries(immediate).map(([id, handler]) => vscode.commands.registerCommand(id, handler)),
    ...COMMAND_IDS.filter(isOnDemand).map(onDemand),
    workspaceFile,
  );
  workspaceFile.start();
  // Integrations (src/integrations): where other extensions, tasks, terminals and chat get tokens.
  context.subscriptions.push(
    registerAuthenticationProvider({ service, minValiditySeconds, log: (m) => log.info(m) }),
    pinned,
    new PinnedStatusBar(service, pinned, ticker),
    registerLazyIntegrations(lazy),
  );
  // A pinned set's token reaches new terminals again after a restart (the collection is not persistent).
  if (pinned.id !== undefined) setTimeout(() => void pinned.sync(), 0);

  return createApi({
    service,
    onDidChange: changed.event,
    signIn: (id, options) => features().signIn(ctx, id, options),
    inspect: (target) => features().inspect(ctx, target),
    tokenAccess,
    deviceAuthorization: (id, options) => features().deviceAuthorization(ctx, id, options),
    pinned,
  });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
