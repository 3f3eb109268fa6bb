/** Typed access to the `pingone.*` settings. */
import * as vscode from 'vscode';
import { DEFAULT_TIMEOUT_MS } from '../core/http';

export function requestTimeoutMs(): number {
  const seconds = vscode.workspace.getConfiguration('pingone').get<number>('requestTimeoutSeconds');
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : DEFAULT_TIMEOUT_MS;
}
