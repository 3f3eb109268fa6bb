/** The question before secrets and tokens go to a host other than a generic OIDC issuer's own (core/origins). */
import vscode = require('vscode');
import type { Environment } from '../core/environment';
import type { ForeignOrigin } from '../core/origins';

export async function confirmOrigins(env: Environment, foreign: ForeignOrigin[]): Promise<boolean> {
  const list = foreign.map((f) => `the ${f.endpoint} at ${f.origin}`).join(', ');
  const action = 'Use These Hosts';
  const answer = await vscode.window.showWarningMessage(
    `The issuer of "${env.name}" (${env.issuer}) names ${list}. Send this environment's client secrets and tokens there?`,
    { modal: true, detail: 'Asked once per host: the answer is kept on this machine only. Choose Cancel unless you know the provider uses these hosts.' },
    action,
  );
  return answer === action;
}
