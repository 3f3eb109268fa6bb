/**
 * The modal before an environment's issuer changes. Client secrets and token sets belong to the
 * issuer they were created for (core/binding): a new issuer deletes them, and only a person can
 * agree to that. No argument skips it, so a command run by another extension cannot redirect them.
 */
import vscode = require('vscode');
import { type Environment, type EnvironmentInput, validateEnvironment } from '../core/environment';
import type { TokenService } from '../core/service';
import { UserCancelled } from './context';

export async function confirmIssuerChange(service: TokenService, existing: Environment, input: EnvironmentInput): Promise<void> {
  const next = validateEnvironment(input, existing.id);
  if (next.issuer === existing.issuer) return;
  const apps = service.listApplications(existing.id);
  if (!apps.length) return;
  const sets = service.listTokenSets().filter((t) => t.environmentId === existing.id).length;
  const action = 'Change Issuer and Delete Secrets';
  const answer = await vscode.window.showWarningMessage(
    `Change the issuer of "${existing.name}" from ${existing.issuer} to ${next.issuer}?`,
    {
      modal: true,
      detail:
        `The client secrets of its ${apps.length} application(s) and their ${sets} token set(s) are deleted from VS Code: they belong to ` +
        `${existing.issuer} and are never sent to another server. Afterwards, edit each application to enter its secret for the new issuer.`,
    },
    action,
  );
  if (answer !== action) throw new UserCancelled();
}
