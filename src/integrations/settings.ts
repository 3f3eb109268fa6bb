/** Settings of the integrations (variables, terminals, the authentication provider). */
import vscode = require('vscode');

/** `pingone.variables.minValiditySeconds`: how long a handed-out access token must still be valid. */
export function minValiditySeconds(): number {
  const v = vscode.workspace.getConfiguration('pingone').get<number>('variables.minValiditySeconds', 60);
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 60;
}
