/**
 * The discovery check run once after an environment is added (or edited): in the background, its
 * result shown on the environment in the tree (reachable with its issuer, or the error), never
 * blocking the add. Kept for this window only.
 */
import vscode = require('vscode');

export type EnvironmentCheck = { state: 'checking' } | { state: 'reachable'; issuer: string; discovery: boolean } | { state: 'failed'; message: string };

const checks = new Map<string, EnvironmentCheck>();
const emitter = new vscode.EventEmitter<void>();

export const environmentChecks = {
  get: (environmentId: string): EnvironmentCheck | undefined => checks.get(environmentId),
  set(environmentId: string, check: EnvironmentCheck): void {
    checks.set(environmentId, check);
    emitter.fire();
  },
  onDidChange: emitter.event,
  dispose: () => emitter.dispose(),
};
