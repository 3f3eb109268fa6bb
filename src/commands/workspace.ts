/**
 * The workspace file's commands: Export to Workspace File (environments and applications without
 * secrets, into .vscode/pingone.json) and Enter Client Secret (what a teammate does once for an
 * entry that came from the file). With arguments no prompt is shown:
 * `pingone.exportToWorkspaceFile([environmentId, …])`, `pingone.enterClientSecret(applicationId, secret)`.
 */
import vscode = require('vscode');
import { ExplorerError } from '../core/errors';
import { WORKSPACE_FILE, exportToWorkspaceFile } from '../core/workspace';
import { type CommandContext, chooseApplication, command, idArg, required } from './context';

/** The workspace commands' handlers by command id; registered at activation, loaded on first use (features.ts). */
export function workspaceCommands(ctx: CommandContext) {
  const { service } = ctx;
  return {
    'pingone.exportToWorkspaceFile': command(ctx, 'Export to workspace file', async (arg?: unknown) => {
      const uri = ctx.workspaceFile?.fileUri();
      if (!uri) throw new ExplorerError('invalid_input', `Open a folder first: the export writes ${WORKSPACE_FILE} into it.`, { field: 'workspace' });
      let ids: string[];
      const envArg = idArg(arg, 'environment');
      if (Array.isArray(arg) && arg.every((a) => typeof a === 'string')) ids = arg as string[];
      else if (envArg) ids = [envArg];
      else {
        const envs = service.listEnvironments();
        if (!envs.length) throw new ExplorerError('invalid_input', 'No environment is configured yet: there is nothing to export.');
        const picked = required(
          await vscode.window.showQuickPick(
            envs.map((e) => ({ label: e.name, description: `${e.issuer}${e.origin === 'workspace' ? ' · workspace' : ''}`, picked: true, id: e.id })),
            {
              title: 'Export to Workspace File',
              placeHolder: `Environments to write into ${WORKSPACE_FILE} (with their applications, never secrets)`,
              canPickMany: true,
              ignoreFocusOut: true,
            },
          ),
        );
        ids = picked.map((p) => p.id);
      }
      const environments = ids.map((id) => service.getEnvironment(id));
      const applications = service.listApplications().filter((a) => ids.includes(a.environmentId));
      let existing: string | undefined;
      try {
        existing = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        existing = undefined;
      }
      const text = exportToWorkspaceFile(existing, environments, applications);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      await ctx.workspaceFile?.reload();
      ctx.log.info(`Exported ${environments.length} environment(s) and ${applications.length} application(s) to ${WORKSPACE_FILE} (no secrets)`);
      return { file: uri.toString(), environments: environments.length, applications: applications.length };
    }),
    'pingone.enterClientSecret': command(ctx, 'Enter client secret', async (arg?: unknown, secret?: unknown) => {
      const id = await chooseApplication(ctx, arg);
      const app = service.getApplication(id);
      const value =
        typeof secret === 'string'
          ? secret
          : required(
              await vscode.window.showInputBox({
                title: `Client secret of ${app.name}`,
                prompt: 'Stored in your VS Code SecretStorage only (never in the workspace file)',
                password: true,
                ignoreFocusOut: true,
                validateInput: (v) => (v ? undefined : 'Enter the client secret.'),
              }),
            );
      await service.setClientSecret(id, value);
      return true;
    }),
  };
}
