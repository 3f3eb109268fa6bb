/**
 * Import commands: a Postman environment file, a pasted curl command. Each shows a preview (what
 * becomes which environment and application, what is skipped and why) before anything is created.
 * With arguments no prompt is shown: `(fileUri | { json }, { confirm: false })`, `(command, { confirm: false, run? })`.
 */
import vscode = require('vscode');
import { invalidInput } from '../core/errors';
import { applyPlan, describePreview, planCurlImport, planPostmanImport, previewPlan } from '../core/import';
import type { ImportPlan } from '../core/import';
import { type CommandContext, command, required, withProgress } from './context';

interface ImportOptions {
  confirm?: boolean;
  /** curl: run the command's grant after importing (client credentials only). */
  run?: boolean;
}

const options = (v: unknown): ImportOptions => (typeof v === 'object' && v !== null ? (v as ImportOptions) : {});

/** Shows the preview in a modal; resolves with the chosen action, or throws UserCancelled. */
async function confirmPreview(ctx: CommandContext, plan: ImportPlan, title: string, actions: string[], opts: ImportOptions): Promise<string> {
  const preview = await previewPlan(plan, ctx.service);
  if (opts.confirm === false) return opts.run ? actions[actions.length - 1] : actions[0];
  const detail = describePreview(preview).join('\n');
  const show = preview.warnings.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  return required(await show(title, { modal: true, detail }, ...actions));
}

async function readPostmanFile(arg: unknown): Promise<string> {
  if (typeof arg === 'object' && arg !== null && typeof (arg as { json?: unknown }).json === 'string') return (arg as { json: string }).json;
  let uri: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (typeof arg === 'string' && arg) uri = vscode.Uri.file(arg);
  else {
    const picked = await vscode.window.showOpenDialog({
      title: 'Import Postman Environment',
      openLabel: 'Preview Import',
      canSelectMany: false,
      filters: { 'Postman environment': ['json'] },
    });
    uri = required(picked?.[0]);
  }
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    throw invalidInput('file', `Cannot read ${uri.fsPath || uri.toString()}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The import commands' handlers by command id; registered at activation, loaded on first use (features.ts). */
export function importCommands(ctx: CommandContext) {
  const { service } = ctx;
  return {
    'pingone.importPostmanEnvironment': command(ctx, 'Import Postman environment', async (arg?: unknown, opts?: unknown) => {
      const plan = planPostmanImport(await readPostmanFile(arg));
      await confirmPreview(ctx, plan, 'Import this Postman environment?', ['Import'], options(opts));
      const done = await applyPlan(plan, service);
      ctx.log.info(
        `Imported a Postman environment: ${done.environments.length} environment(s), ${done.applications.length} application(s), ${plan.skipped.length} variable(s) skipped`,
      );
      if (options(opts).confirm !== false) {
        void vscode.window.showInformationMessage(
          `Imported ${done.applications.length} application(s) into ${done.environments.map((e) => `"${e.name}"`).join(', ')}.${plan.skipped.length ? ` ${plan.skipped.length} variable(s) were skipped (see the preview).` : ''}`,
        );
      }
      return { ...done, skipped: plan.skipped };
    }),
    'pingone.importCurl': command(ctx, 'Import from curl', async (arg?: unknown, opts?: unknown) => {
      const text =
        typeof arg === 'string'
          ? arg
          : required(
              await vscode.window.showInputBox({
                title: 'Import from curl',
                prompt: 'Paste a curl command for a token endpoint (or a token URL with its parameters in the query)',
                placeHolder: "curl --user client_id:secret -d grant_type=client_credentials 'https://auth.pingone.com/{envId}/as/token'",
                ignoreFocusOut: true,
                validateInput: (v) => {
                  if (!v.trim()) return undefined;
                  try {
                    planCurlImport(v);
                    return undefined;
                  } catch (err) {
                    return err instanceof Error ? err.message : String(err);
                  }
                },
              }),
            );
      const { plan, grant, warnings } = planCurlImport(text);
      const canRun = grant === 'client_credentials';
      const choice = await confirmPreview(ctx, plan, 'Import this environment and application?', canRun ? ['Import', 'Import and Get Token'] : ['Import'], options(opts));
      const done = await applyPlan(plan, service);
      const app = done.applications[0];
      ctx.log.info(`Imported from curl: application "${app.name}" (${app.clientId}, ${app.authMethod}) in "${done.environments[0].name}"`);
      const tokenSet =
        canRun && choice === 'Import and Get Token'
          ? await withProgress(`Getting a token for ${app.name}…`, (signal) => service.clientCredentials(app.id, { signal }))
          : undefined;
      if (options(opts).confirm !== false && !tokenSet) void vscode.window.showInformationMessage(`Imported "${app.name}" into "${done.environments[0].name}".`);
      return { environment: done.environments[0], application: app, grant, warnings, tokenSet };
    }),
  };
}
