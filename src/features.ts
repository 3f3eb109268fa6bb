/**
 * What the extension loads on first use rather than at activation: the command handlers, the Token
 * Inspector and, through core/grants, the network half of the core. The extension build ships this
 * as dist/features.js; every module it shares with dist/extension.js comes from that bundle, so
 * there is one copy of each (see esbuild.js).
 */
import { applicationCommands } from './commands/applications';
import type { CommandContext } from './commands/context';
import { environmentCommands } from './commands/environments';
import { keyCommands } from './commands/keys';
import { deviceAuthorization, grantCommands } from './commands/grants';
import { importCommands } from './commands/import';
import { tenantCommands } from './commands/tenant';
import { workspaceCommands } from './commands/workspace';
import type { CommandHandler, OnDemandCommandId } from './commands/ids';
import { disposeResults } from './commands/results';
import { inspect, signIn, tokenCommands } from './commands/tokens';
import { InspectorPanel } from './webview/inspector/panel';

export * from './core/grants';
export * from './core/import';
export * from './core/management';
export { verifySignature } from './core/verify';
export { parseWorkspaceFile } from './core/workspace';
export { createApiImpl } from './apiImpl';
export * from './integrations/lazyParts';
export { deviceAuthorization, inspect, signIn };

/** The handler of every command activation does not answer itself. */
export function commandHandlers(ctx: CommandContext): Record<OnDemandCommandId, CommandHandler> {
  const handlers = {
    ...environmentCommands(ctx),
    ...applicationCommands(ctx),
    ...keyCommands(ctx),
    ...tokenCommands(ctx),
    ...grantCommands(ctx),
    ...importCommands(ctx),
    ...tenantCommands(ctx),
    ...workspaceCommands(ctx),
  };
  // A handler whose id is not in COMMAND_IDS would never be registered: make that a type error.
  const noStray: Exclude<keyof typeof handlers, OnDemandCommandId> extends never ? true : never = true;
  void noStray;
  return handlers;
}

/** Disposes what the features opened: the inspector and the result documents' provider. */
export function disposeInspector(): void {
  InspectorPanel.disposeCurrent();
  disposeResults();
}
