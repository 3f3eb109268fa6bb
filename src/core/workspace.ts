/**
 * The workspace file `.vscode/pingone.json`: environments and applications as a team checks them
 * in, never secrets or tokens. Each entry has a stable `id`, which is its id in the extension, so
 * the same entry in two clones is the same application and a user's stored secret and tokens stay
 * attached to it when the file changes. An entry with a secret-like field is refused as a whole and
 * the field's value is never used. Pure: text in, entries out (and back).
 */
import { type Application, validateApplication } from './application';
import { type Environment, validateEnvironment } from './environment';
import { ExplorerError, isExplorerError } from './errors';
import { WORKSPACE_FILE } from './basics';

export { WORKSPACE_FILE };

/** Fields that would carry a secret; their presence refuses the entry. */
const SECRET_FIELD = /secret|password|passwd|private_?key|^key$|token(?!EndpointAuthMethod)|assertion|credential|^jwks?$/i;

const ID = /^[A-Za-z0-9][\w.:-]{0,99}$/;

export interface WorkspaceEntries {
  environments: Environment[];
  applications: Application[];
  /** What was refused or could not be read, in the user's words (never a value). */
  problems: string[];
}

function secretFields(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => SECRET_FIELD.test(k));
}

/** Reads the workspace file. A broken entry is reported and skipped; the others still load. */
export function parseWorkspaceFile(text: string): WorkspaceEntries {
  const out: WorkspaceEntries = { environments: [], applications: [], problems: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    out.problems.push(`${WORKSPACE_FILE} is not valid JSON (${err instanceof Error ? err.message : String(err)}).`);
    return out;
  }
  const envs = (doc as { environments?: unknown } | null)?.environments;
  if (!Array.isArray(envs)) {
    out.problems.push(`${WORKSPACE_FILE} has no "environments" list.`);
    return out;
  }
  const ids = new Set<string>();
  const takeId = (raw: unknown, where: string): string | undefined => {
    if (typeof raw !== 'string' || !ID.test(raw)) {
      out.problems.push(`${where} has no valid "id" (letters, digits, ".", "_", ":" or "-"; it keeps the entry the same application in every clone).`);
      return undefined;
    }
    if (ids.has(raw)) {
      out.problems.push(`${where}: the id "${raw}" is used twice; the second entry was skipped.`);
      return undefined;
    }
    ids.add(raw);
    return raw;
  };
  /**
   * One entry's common checks: an object, no secret-like field, a valid unused id, then `validate`
   * (whose refusal is reported in the entry's words). Undefined when the entry is skipped.
   */
  const entry = <T>(raw: unknown, where: string, kind: string, validate: (fields: Record<string, unknown>, id: string) => T) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return void out.problems.push(`${where} is not an object.`);
    const fields = raw as Record<string, unknown>;
    const label = typeof fields.name === 'string' ? `${kind} "${fields.name}"` : where;
    const bad = secretFields(fields);
    if (bad.length) {
      return void out.problems.push(
        `${label} has ${bad.map((f) => `"${f}"`).join(', ')}: secrets never belong in ${WORKSPACE_FILE}, so the entry was refused and the value not read. Remove the field; each person enters secrets once, in their own SecretStorage.`,
      );
    }
    const id = takeId(fields.id, label);
    if (!id) return undefined;
    try {
      return { fields, label, id, value: validate(fields, id) };
    } catch (err) {
      if (!isExplorerError(err)) throw err;
      return void out.problems.push(`${label}: ${err.message}`);
    }
  };
  envs.forEach((rawEnv, i) => {
    const env = entry(rawEnv, `Environment #${i + 1}`, 'Environment', (e, id) =>
      validateEnvironment(
        {
          name: e.name as string,
          kind: e.kind as Environment['kind'],
          region: e.region as string | undefined,
          environmentId: e.environmentId as string | undefined,
          authBaseUrl: e.authBaseUrl as string | undefined,
          apiBaseUrl: e.apiBaseUrl as string | undefined,
          issuer: e.issuer as string | undefined,
        },
        id,
      ),
    );
    if (!env) return;
    out.environments.push({ ...env.value, origin: 'workspace' });
    const apps = env.fields.applications === undefined ? [] : env.fields.applications;
    if (!Array.isArray(apps)) return void out.problems.push(`${env.label}: "applications" is not a list.`);
    apps.forEach((rawApp, j) => {
      const app = entry(rawApp, `Application #${j + 1} of ${env.label}`, 'Application', (a, appId) =>
        validateApplication(
          {
            name: a.name as string,
            clientId: a.clientId as string,
            authMethod: a.authMethod as string | undefined,
            grants: a.grants as Application['grants'] | undefined,
            scopes: a.scopes as string | undefined,
            redirectUri: a.redirectUri as string | undefined,
          },
          { id: appId, environmentId: env.id },
          { hasStoredSecret: true },
        ),
      );
      if (app) out.applications.push({ ...app.value, origin: 'workspace' });
    });
  });
  return out;
}

/**
 * The file's text with `environments` (and their applications) written in: entries with the same
 * id are replaced, others in the file are kept. Never writes a secret (the models hold none).
 */
export function exportToWorkspaceFile(existingText: string | undefined, environments: Environment[], applications: Application[]): string {
  let doc: Record<string, unknown> = {};
  if (existingText !== undefined && existingText.trim() !== '') {
    try {
      const parsed = JSON.parse(existingText.replace(/^\uFEFF/, '')) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>;
      else throw new Error('not an object');
    } catch {
      throw new ExplorerError('invalid_input', `${WORKSPACE_FILE} is not valid JSON: fix or delete it, then export again.`, { field: 'file' });
    }
  }
  const kept = (Array.isArray(doc.environments) ? doc.environments : []).filter(
    (e) => !(typeof e === 'object' && e !== null && environments.some((env) => env.id === (e as { id?: unknown }).id)),
  );
  const entry = (env: Environment) => ({
    id: env.id,
    name: env.name,
    kind: env.kind,
    ...(env.kind === 'pingone'
      ? {
          environmentId: env.environmentId,
          ...(env.region ? { region: env.region } : {}),
          ...(env.authBaseUrl ? { authBaseUrl: env.authBaseUrl } : {}),
          ...(env.apiBaseUrl ? { apiBaseUrl: env.apiBaseUrl } : {}),
        }
      : { issuer: env.issuer }),
    applications: applications
      .filter((a) => a.environmentId === env.id)
      .map((a) => ({
        id: a.id,
        name: a.name,
        clientId: a.clientId,
        authMethod: a.authMethod,
        grants: a.grants,
        ...(a.scopes ? { scopes: a.scopes } : {}),
        ...(a.redirectUri ? { redirectUri: a.redirectUri } : {}),
      })),
  });
  const out = { $schema: doc.$schema ?? undefined, ...doc, environments: [...kept, ...environments.map(entry)] };
  if (out.$schema === undefined) delete out.$schema;
  return `${JSON.stringify(out, null, 2)}\n`;
}
