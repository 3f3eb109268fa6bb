/**
 * Browse Tenant and Sync from Tenant: a PingOne worker application reads the tenant's environments
 * and applications through the management API; the user picks what to import, or confirms what a
 * sync would change. With arguments no prompt is shown:
 * `pingone.browseTenant(workerId, { environmentId, applicationIds, withSecrets? })`,
 * `pingone.syncFromTenant(applicationId, { confirm: false })`.
 */
import vscode = require('vscode');
import { browseTenant, importApplications, syncApplication } from '../core/management';
import type { RemoteApplication, RemoteEnvironment, SyncChange } from '../core/management';
import { type CommandContext, UserCancelled, chooseApplication, command, pick, required, withProgress } from './context';

interface ImportRequest {
  environmentId: string;
  applicationIds: string[];
  withSecrets?: boolean;
}

const isRequest = (v: unknown): v is ImportRequest =>
  typeof v === 'object' && v !== null && typeof (v as ImportRequest).environmentId === 'string' && Array.isArray((v as ImportRequest).applicationIds);

function describeApp(a: RemoteApplication): { description: string; detail: string } {
  const parts = [
    a.grantTypes.length ? `grants ${a.grantTypes.join(', ')}` : undefined,
    a.tokenEndpointAuthMethod && `auth ${a.tokenEndpointAuthMethod}`,
    a.pkceEnforcement && `PKCE ${a.pkceEnforcement}`,
    a.parRequirement && `PAR ${a.parRequirement}`,
    a.redirectUris.length ? `redirect ${a.redirectUris.join(', ')}` : undefined,
  ].filter(Boolean);
  return {
    description: `${a.type} · ${a.protocol} · ${a.enabled ? 'enabled' : 'disabled'}${a.importedAs ? ' · imported' : ''}`,
    detail: a.importable ? parts.join(' · ') : `Not importable: ${a.reason}`,
  };
}

async function pickApplications(env: RemoteEnvironment): Promise<string[]> {
  type Item = vscode.QuickPickItem & { id?: string };
  const importable = env.applications.filter((a) => a.importable);
  const others = env.applications.filter((a) => !a.importable);
  const items: Item[] = [
    ...importable.map((a) => ({ label: `${a.importedAs ? '$(check) ' : ''}${a.name}`, ...describeApp(a), id: a.id })),
    ...(others.length ? [{ label: 'Not importable', kind: vscode.QuickPickItemKind.Separator } as Item] : []),
    ...others.map((a) => ({ label: `$(circle-slash) ${a.name}`, ...describeApp(a) })),
  ];
  const picked = required(
    await vscode.window.showQuickPick(items, {
      title: `Import from "${env.name}"`,
      placeHolder: 'Choose the applications to import (secrets go to SecretStorage)',
      canPickMany: true,
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    }),
  );
  const ids = picked.map((i) => i.id).filter((id): id is string => id !== undefined);
  if (!ids.length) throw new UserCancelled();
  return ids;
}

const describeChange = (c: SyncChange) => (c.from !== undefined ? `${c.field}: ${c.from} → ${c.to}` : c.field) + (c.note ? ` (${c.note})` : '');

/** The tenant commands' handlers by command id; registered at activation, loaded on first use (features.ts). */
export function tenantCommands(ctx: CommandContext) {
  const { service } = ctx;
  return {
    'pingone.browseTenant': command(ctx, 'Browse tenant', async (arg?: unknown, request?: unknown) => {
      const workerId = await chooseApplication(ctx, arg, (a) => a.grants.includes('client_credentials'));
      let target: ImportRequest;
      if (isRequest(request)) target = request;
      else {
        const { environments } = await withProgress('Reading the tenant…', (signal) => browseTenant(service, workerId, { signal }));
        const env = await pick(
          environments.map((e) => ({
            label: e.name,
            description: [e.region, e.type, `${e.applications.length} application(s)`].filter(Boolean).join(' · '),
            detail: e.id,
            env: e,
          })),
          'Choose an environment of the tenant',
          'Browse Tenant',
        );
        target = { environmentId: env.env.id, applicationIds: await pickApplications(env.env) };
      }
      const done = await withProgress('Importing applications…', (signal) => importApplications(service, workerId, target, { signal }));
      ctx.log.info(`Imported ${done.length} application(s) from the tenant into "${service.getEnvironment(done[0].application.environmentId).name}"`);
      const problems = done.filter((d) => d.secretProblem);
      if (!isRequest(request)) {
        const summary = `Imported ${done.length} application(s) into "${service.getEnvironment(done[0].application.environmentId).name}".`;
        if (problems.length) {
          void vscode.window.showWarningMessage(`${summary} ${problems.length} without a secret: ${problems[0].secretProblem}`);
        } else void vscode.window.showInformationMessage(summary);
      }
      return done.map((d) => ({ id: d.application.id, name: d.application.name, clientId: d.application.clientId, secretProblem: d.secretProblem, notes: d.notes }));
    }),
    'pingone.syncFromTenant': command(ctx, 'Sync from tenant', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg);
      const app = service.getApplication(id);
      const silent = typeof options === 'object' && options !== null && (options as { confirm?: unknown }).confirm === false;
      const preview = await withProgress(`Reading "${app.name}" from the tenant…`, (signal) => syncApplication(service, id, { signal }));
      if (preview.deleted || !preview.changes.length || preview.changes.every((c) => c.field === 'importable')) {
        if (!silent) {
          const text = preview.changes.length ? preview.changes.map(describeChange).join(' ') : `"${app.name}" is in sync with the tenant.`;
          void (preview.changes.length
            ? vscode.window.showWarningMessage(text)
            : vscode.window.showInformationMessage(`${text}${preview.secretProblem ? ` ${preview.secretProblem}` : ''}`));
        }
        return preview;
      }
      if (!silent) {
        const answer = await vscode.window.showInformationMessage(
          `Apply ${preview.changes.length} change(s) from the tenant to "${app.name}"?`,
          { modal: true, detail: [...preview.changes.map(describeChange), ...(preview.secretProblem ? [preview.secretProblem] : [])].join('\n') },
          'Apply',
        );
        required(answer === 'Apply' ? answer : undefined);
      }
      return withProgress(`Syncing "${app.name}"…`, (signal) => syncApplication(service, id, { signal, apply: true }));
    }),
  };
}
