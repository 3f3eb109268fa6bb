/**
 * Browse, import and sync from a PingOne tenant with a worker application. The worker's token is a
 * token set like any other (obtained with the client-credentials grant, re-issued when it expires)
 * and is reused for the whole operation. Environments and applications are written through the
 * token service's public methods only.
 */
import type { Application, ApplicationInput } from '../application';
import { type Environment, type EnvironmentInput, isRegion, managementApiBase } from '../environment';
import { ExplorerError, invalidInput } from '../errors';
import { matchApplication, matchEnvironment } from '../import/plan';
import type { TokenService } from '../service';
import { type RemoteApplication, applicationInput, remoteApplication } from './applications';
import { type ManagementCall, ManagementError, listApplications, listEnvironments, readApplication, readApplicationSecret } from './client';

export interface TenantOptions {
  signal?: AbortSignal;
  /** For tests: the wait before the one retry after a 429. */
  sleep?: ManagementCall['sleep'];
}

export interface RemoteEnvironment {
  id: string;
  name: string;
  region?: string;
  type?: string;
  applications: RemoteApplication[];
}

interface Session {
  call: ManagementCall;
  worker: Application;
  workerEnv: Environment;
}

/** Seconds a reused worker token must still be valid for. */
const MIN_TOKEN_LIFETIME_MS = 60_000;

async function session(service: TokenService, workerApplicationId: string, opts: TenantOptions): Promise<Session> {
  const worker = service.getApplication(workerApplicationId);
  const workerEnv = service.getEnvironment(worker.environmentId);
  if (workerEnv.kind !== 'pingone') {
    throw invalidInput(
      'applicationId',
      `"${worker.name}" is in a ${workerEnv.kind === 'pingfederate' ? 'PingFederate' : 'generic OpenID Connect'} environment: browsing a tenant needs a PingOne worker application.`,
    );
  }
  const apiBase = managementApiBase(workerEnv);
  if (!apiBase) {
    throw invalidInput(
      'apiBaseUrl',
      `The environment "${workerEnv.name}" uses its own auth base URL, so the management API base is unknown: edit it and set its API base URL (apiBaseUrl).`,
    );
  }
  if (!worker.grants.includes('client_credentials')) {
    throw invalidInput('grants', `"${worker.name}" is not set up for the client-credentials grant: browsing a tenant needs a worker application.`);
  }
  const now = Date.now();
  const reusable = service
    .listTokenSets(worker.id)
    .filter((t) => t.grant === 'client_credentials' && t.status !== 'revoked' && t.status !== 'sign-in-required')
    .sort((a, b) => b.issuedAt - a.issuedAt)[0];
  let tokenSetId: string;
  if (reusable && reusable.status === 'valid' && (reusable.expiresAt === undefined || reusable.expiresAt - now > MIN_TOKEN_LIFETIME_MS)) tokenSetId = reusable.id;
  else if (reusable) tokenSetId = (await service.refresh(reusable.id, { signal: opts.signal })).id;
  else tokenSetId = (await service.clientCredentials(worker.id, { signal: opts.signal })).id;
  const accessToken = (await service.getTokenSet(tokenSetId)).accessToken;
  return { call: { apiBase, accessToken, http: { ...service.httpSettings(), signal: opts.signal }, sleep: opts.sleep }, worker, workerEnv };
}

/** The extension's environment input for a tenant environment: region from the API, auth base like the worker's. */
export function environmentInputFor(remote: { id: string; name: string; region?: string }, workerEnv: Environment): EnvironmentInput {
  const name = remote.name.slice(0, 100) || remote.id;
  if (workerEnv.authBaseUrl) {
    return { name, kind: 'pingone', environmentId: remote.id, authBaseUrl: workerEnv.authBaseUrl, ...(workerEnv.apiBaseUrl ? { apiBaseUrl: workerEnv.apiBaseUrl } : {}) };
  }
  const region = remote.region && isRegion(remote.region.toUpperCase()) ? remote.region.toUpperCase() : workerEnv.region;
  return { name, kind: 'pingone', environmentId: remote.id, region, ...(workerEnv.apiBaseUrl ? { apiBaseUrl: workerEnv.apiBaseUrl } : {}) };
}

function remoteEnvironment(raw: Record<string, unknown>): { id: string; name: string; region?: string; type?: string } | undefined {
  if (typeof raw.id !== 'string' || !raw.id) return undefined;
  return {
    id: raw.id,
    name: typeof raw.name === 'string' ? raw.name : raw.id,
    ...(typeof raw.region === 'string' ? { region: raw.region } : {}),
    ...(typeof raw.type === 'string' ? { type: raw.type } : {}),
  };
}

function localEnvironment(service: TokenService, remote: { id: string; name: string; region?: string }, workerEnv: Environment): Environment | undefined {
  try {
    return matchEnvironment(environmentInputFor(remote, workerEnv), service.listEnvironments());
  } catch {
    return undefined;
  }
}

/** Every environment the worker can see, each with its applications (all pages), marked when already imported. */
export async function browseTenant(service: TokenService, workerApplicationId: string, opts: TenantOptions = {}): Promise<{ environments: RemoteEnvironment[] }> {
  const s = await session(service, workerApplicationId, opts);
  const environments: RemoteEnvironment[] = [];
  for (const raw of await listEnvironments(s.call)) {
    const env = remoteEnvironment(raw);
    if (!env) continue;
    const local = localEnvironment(service, env, s.workerEnv);
    const applications = (await listApplications(s.call, env.id)).map(remoteApplication).filter((a): a is RemoteApplication => a !== undefined);
    for (const a of applications) {
      const imported = local && matchApplication(local.id, a.id, service.listApplications(local.id));
      if (imported) a.importedAs = imported.id;
    }
    environments.push({ ...env, applications });
  }
  return { environments };
}

export interface ImportedApplication {
  application: Application;
  /** Why the secret was not imported (the missing permission), when it was not. */
  secretProblem?: string;
  notes: string[];
}

function secretProblem(err: unknown, remoteId: string, s: Session): string | undefined {
  if (!(err instanceof ManagementError)) return undefined;
  if (err.status === 403 && remoteId === s.worker.clientId) {
    return `PingOne does not let a worker application read its own secret: paste it with Edit Application. [${err.code}${err.correlationId ? `, correlation ID ${err.correlationId}` : ''}]`;
  }
  if (err.status === 403) {
    return `The worker "${s.worker.name}" lacks the applications:read:secret permission (the Environment Admin or Client Application Developer role), so the secret was not imported: grant the role, or paste the secret with Edit Application. [${err.code}${err.correlationId ? `, correlation ID ${err.correlationId}` : ''}]`;
  }
  return `The secret could not be read: ${err.message}`;
}

/**
 * Imports applications of one tenant environment: reuses the extension's environment for it or
 * creates one, adds each application (or updates the one with the same client ID) and reads its
 * secret into the secret store. A 403 on the secret imports the application without it.
 */
export async function importApplications(
  service: TokenService,
  workerApplicationId: string,
  request: { environmentId: string; applicationIds: string[]; withSecrets?: boolean },
  opts: TenantOptions = {},
): Promise<ImportedApplication[]> {
  if (!request || typeof request.environmentId !== 'string' || !Array.isArray(request.applicationIds) || !request.applicationIds.length) {
    throw invalidInput('applicationIds', 'Choose at least one application to import.');
  }
  const s = await session(service, workerApplicationId, opts);
  const remoteEnv = (await listEnvironments(s.call)).map(remoteEnvironment).find((e) => e?.id === request.environmentId);
  if (!remoteEnv) throw invalidInput('environmentId', `The worker "${s.worker.name}" cannot see a PingOne environment with ID ${request.environmentId}.`);
  const remote = (await listApplications(s.call, remoteEnv.id)).map(remoteApplication);
  // Everything is checked before the first write.
  const planned = request.applicationIds.map((id) => {
    const r = remote.find((a) => a?.id === id);
    if (!r) throw invalidInput('applicationIds', `No application ${id} in "${remoteEnv.name}" (deleted, or not visible to the worker).`);
    const mapped = applicationInput(r);
    if ('reason' in mapped) throw invalidInput('applicationIds', `"${r.name}" cannot be imported: ${mapped.reason}.`);
    return { remote: r, ...mapped };
  });
  const env = localEnvironment(service, remoteEnv, s.workerEnv) ?? (await service.addEnvironment(environmentInputFor(remoteEnv, s.workerEnv)));
  const out: ImportedApplication[] = [];
  for (const p of planned) {
    let problem: string | undefined;
    let clientSecret: string | undefined;
    if (p.input.authMethod !== 'none' && request.withSecrets !== false) {
      try {
        clientSecret = (await readApplicationSecret(s.call, remoteEnv.id, p.remote.id)).secret;
      } catch (err) {
        problem = secretProblem(err, p.remote.id, s);
        if (!problem) throw err;
      }
    }
    const existing = matchApplication(env.id, p.input.clientId, service.listApplications(env.id));
    const input: ApplicationInput = { ...p.input, ...(existing ? { name: existing.name, scopes: existing.scopes } : {}), clientSecret };
    const application = await service.saveImportedApplication(env.id, input, existing?.id);
    out.push({ application, notes: p.notes, ...(problem ? { secretProblem: problem } : {}) });
  }
  return out;
}

export interface SyncChange {
  field: 'authMethod' | 'grants' | 'redirectUri' | 'secret' | 'deleted' | 'importable';
  from?: string;
  to?: string;
  /** E.g. until when the previous secret stays valid. */
  note?: string;
}

export interface SyncResult {
  changes: SyncChange[];
  applied: boolean;
  /** Deleted in the tenant: flagged, never removed here. */
  deleted?: boolean;
  secretProblem?: string;
}

/** The worker to sync an application with: a client-credentials PingOne application, preferably in the same environment. */
export function syncWorkerFor(service: TokenService, app: Application): Application | undefined {
  const env = service.getEnvironment(app.environmentId);
  const candidates = service
    .listApplications()
    .filter(
      (a) => a.id !== app.id && a.grants.includes('client_credentials') && service.listEnvironments().some((e) => e.id === a.environmentId && e.kind === 'pingone'),
    );
  return (
    candidates.find((a) => a.environmentId === env.id) ?? candidates.find((a) => service.getEnvironment(a.environmentId).authBaseUrl === env.authBaseUrl) ?? candidates[0]
  );
}

/**
 * Re-reads an imported application from its tenant and reports what changed (auth method, grants,
 * redirect URI, a rotated secret); with `apply` the changes are stored. An application deleted in
 * the tenant is flagged and left alone.
 */
export async function syncApplication(
  service: TokenService,
  applicationId: string,
  opts: TenantOptions & { apply?: boolean; workerApplicationId?: string } = {},
): Promise<SyncResult> {
  const app = service.getApplication(applicationId);
  const env = service.getEnvironment(app.environmentId);
  if (env.kind !== 'pingone' || !env.environmentId)
    throw invalidInput('applicationId', `"${app.name}" is not in a PingOne environment, so there is no tenant to sync it from.`);
  const workerId = opts.workerApplicationId ?? syncWorkerFor(service, app)?.id ?? (app.grants.includes('client_credentials') ? app.id : undefined);
  if (!workerId) throw invalidInput('applicationId', 'Syncing needs a PingOne worker application (client credentials) to read the tenant: add or import one first.');
  const s = await session(service, workerId, opts);
  let raw: Record<string, unknown>;
  try {
    raw = await readApplication(s.call, env.environmentId, app.clientId);
  } catch (err) {
    if (err instanceof ManagementError && err.code === 'NOT_FOUND') {
      return {
        changes: [{ field: 'deleted', note: `"${app.name}" (${app.clientId}) no longer exists in the tenant. It is kept here; remove it if you no longer need it.` }],
        applied: false,
        deleted: true,
      };
    }
    throw err;
  }
  const remote = remoteApplication(raw);
  if (!remote) throw new ExplorerError('invalid_response', 'The management API answered with an application that has no id.');
  const mapped = applicationInput(remote);
  if ('reason' in mapped) return { changes: [{ field: 'importable', note: `It can no longer be used here: ${mapped.reason}.` }], applied: false };
  const changes: SyncChange[] = [];
  const next = mapped.input;
  if (next.authMethod !== app.authMethod) changes.push({ field: 'authMethod', from: app.authMethod, to: String(next.authMethod) });
  const grants = (g: readonly string[] = []) => [...g].sort().join(', ');
  if (grants(next.grants) !== grants(app.grants)) changes.push({ field: 'grants', from: grants(app.grants), to: grants(next.grants) });
  const stillListed = app.redirectUri !== undefined && isOwnLoopback(app.redirectUri, remote.redirectUris);
  if (!stillListed && (next.redirectUri ?? '') !== (app.redirectUri ?? '')) {
    changes.push({ field: 'redirectUri', from: app.redirectUri ?? '(none)', to: next.redirectUri ?? '(none)' });
  }
  let clientSecret: string | undefined;
  let problem: string | undefined;
  if (next.authMethod !== 'none') {
    try {
      const secret = await readApplicationSecret(s.call, env.environmentId, app.clientId);
      if (!(await service.clientSecretMatches(app.id, secret.secret))) {
        clientSecret = secret.secret;
        const until = secret.previous?.expiresAt && new Date(secret.previous.expiresAt);
        changes.push({
          field: 'secret',
          from: (await service.hasClientSecret(app.id)) ? 'the stored secret' : '(none)',
          to: 'the secret PingOne has now',
          ...(until && !Number.isNaN(until.getTime()) ? { note: `The previous secret stays valid until ${until.toISOString()}.` } : {}),
        });
      }
    } catch (err) {
      problem = secretProblem(err, app.clientId, s);
      if (!problem) throw err;
    }
  }
  const result: SyncResult = { changes, applied: false, ...(problem ? { secretProblem: problem } : {}) };
  if (!opts.apply || !changes.length) return result;
  await service.saveImportedApplication(
    app.environmentId,
    {
      name: app.name,
      clientId: app.clientId,
      scopes: app.scopes,
      authMethod: next.authMethod,
      grants: next.grants,
      redirectUri: stillListed ? app.redirectUri : next.redirectUri,
      clientSecret,
    },
    app.id,
  );
  return { ...result, applied: true };
}

/** A redirect URI the user chose that the tenant still lists is not a change. */
function isOwnLoopback(redirectUri: string, remote: string[]): boolean {
  return remote.some((u) => u.replace(/\/+$/, '') === redirectUri);
}
