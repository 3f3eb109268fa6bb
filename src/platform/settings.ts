/** Typed access to the `pingone.*` settings. */
import vscode = require('vscode');

/** The default of `pingone.requestTimeoutSeconds` in package.json. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export function requestTimeoutMs(): number {
  const seconds = vscode.workspace.getConfiguration('pingone').get<number>('requestTimeoutSeconds');
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : DEFAULT_TIMEOUT_MS;
}
