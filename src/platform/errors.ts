/** Shows an error to the user: the typed error's own message, with an action where one helps. */
import vscode = require('vscode');
import { ExplorerError } from '../core/errors';
import { redact } from '../core/redact';
import type { Log } from './log';

export function errorMessage(err: unknown): string {
  if (err instanceof ExplorerError) return redact(err.message);
  if (err instanceof vscode.CancellationError) return 'Cancelled.';
  return redact(err instanceof Error ? err.message : String(err));
}

export async function showError(err: unknown, log: Log, context: string): Promise<void> {
  if (err instanceof ExplorerError && err.code === 'cancelled') return;
  if (err instanceof vscode.CancellationError) return;
  const message = errorMessage(err);
  log.error(`${context}: ${err instanceof ExplorerError ? `[${err.code}] ` : ''}${message}`);
  const choice = await vscode.window.showErrorMessage(`${context}: ${message}`, 'Show Log');
  if (choice === 'Show Log') log.channel.show(true);
}
