/**
 * `${command:pingone.accessToken}`, `${command:pingone.idToken}` and
 * `${command:pingone.authorizationHeader}` for tasks.json and launch.json, and "Use for Variables
 * and Terminals". Which token set: `args.tokenSet`, else the pinned one, else a quick pick among the
 * usable ones (narrowed by `args.application` and `args.scope`). The token is valid for at least
 * pingone.variables.minValiditySeconds, refreshed first if needed (the service's single flight).
 */
import vscode = require('vscode');
import { ExplorerError } from '../core/errors';
import type { TokenService, TokenSetInfo } from '../core/service';
import type { Log } from '../platform/log';
import { showError } from '../platform/errors';
import type { Pinned } from './pinned';
import { minValiditySeconds } from './settings';
import { ensureFresh, freshAccessToken } from './tokenAccess';

import type { VARIABLE_COMMAND_IDS } from './register';

interface VariableArgs {
  application?: string;
  tokenSet?: string;
  scope?: string;
}

function argsOf(arg: unknown): VariableArgs {
  if (typeof arg !== 'object' || arg === null) return {};
  const o = arg as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  return { application: str(o.application), tokenSet: str(o.tokenSet), scope: str(o.scope) };
}

export interface VariableDeps {
  service: TokenService;
  pinned: Pinned;
  log: Log;
}

/** The application named by id, client ID or name. */
function applicationId(service: TokenService, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const apps = service.listApplications();
  const app = apps.find((a) => a.id === name) ?? apps.find((a) => a.clientId === name) ?? apps.find((a) => a.name === name);
  if (!app) throw new ExplorerError('invalid_input', `No PingOne application is called "${name}": use its name, client ID or id.`, { field: 'application' });
  return app.id;
}

async function chooseSet(service: TokenService, sets: TokenSetInfo[]): Promise<string | undefined> {
  const appName = (id: string) => service.listApplications().find((a) => a.id === id)?.name ?? '?';
  const picked = await vscode.window.showQuickPick(
    sets.map((t) => ({ label: appName(t.applicationId), description: `${t.grant} · ${t.scope ?? 'default scope'} · ${t.status}`, id: t.id })),
    { placeHolder: 'Which PingOne token? (Pin one with "Use for Variables and Terminals" to skip this question)', ignoreFocusOut: true },
  );
  return picked?.id;
}

/** The command handlers; each returns the string VS Code substitutes, or undefined when cancelled. */
export function variableCommands(deps: VariableDeps): Record<(typeof VARIABLE_COMMAND_IDS)[number], (...args: unknown[]) => unknown> {
  const { service, pinned } = deps;
  const resolve = async (arg: unknown) => {
    const a = argsOf(arg);
    const appId = applicationId(service, a.application);
    const pin = a.tokenSet ?? (appId === undefined && a.scope === undefined ? pinned.id : undefined);
    return freshAccessToken(service, { tokenSetId: pin, applicationId: appId, scope: a.scope, minValiditySeconds: minValiditySeconds() }, Date.now, (sets) =>
      chooseSet(service, sets),
    );
  };
  const variable = (title: string, body: (arg: unknown) => Promise<string>) => async (arg?: unknown) => {
    try {
      return await body(arg);
    } catch (err) {
      if (err instanceof ExplorerError && err.code === 'cancelled') return undefined;
      void showError(err, deps.log, title);
      throw err;
    }
  };
  return {
    'pingone.accessToken': variable('PingOne access token', async (arg) => (await resolve(arg)).accessToken),
    'pingone.authorizationHeader': variable('PingOne authorization header', async (arg) => {
      const t = await resolve(arg);
      return `${t.tokenType.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer'} ${t.accessToken}`;
    }),
    'pingone.idToken': variable('PingOne ID token', async (arg) => {
      const t = await resolve(arg);
      const set = await ensureFresh(service, t.tokenSetId, 0, Date.now);
      if (!set.idToken) throw new ExplorerError('invalid_input', 'This token set has no ID token: sign in with the "openid" scope to get one.', { field: 'tokenSet' });
      return set.idToken;
    }),
    'pingone.useForVariables': variable('Use for Variables and Terminals', async (arg) => {
      const id =
        typeof arg === 'string' ? arg : ((arg as { info?: { id?: unknown } } | undefined)?.info?.id ?? (arg as { tokenSetId?: unknown } | undefined)?.tokenSetId);
      const target = typeof id === 'string' ? id : undefined;
      // The pinned set again, or no set: unpin.
      const next = target === undefined || target === pinned.id ? undefined : target;
      await pinned.pin(next);
      deps.log.info(next ? `Token set ${next} is used for variables and terminals.` : 'No token set is used for variables and terminals any more.');
      return next ?? '';
    }),
  };
}
