/**
 * What an importer proposes, and how a proposal becomes environments and applications. Importers
 * (Postman environment files, curl commands) only read their input and build an `ImportPlan`; this
 * module matches the plan against what is already stored (so importing twice does not duplicate),
 * describes it for a preview, and applies it through the service's public methods. A plan holds
 * client secrets only inside `ApplicationInput.clientSecret`, which the service writes to the secret
 * store; previews and descriptions never contain them.
 */
import { type Application, type ApplicationInput, validateApplication } from '../application';
import { type Environment, type EnvironmentInput, validateEnvironment } from '../environment';

export interface PlannedEnvironment {
  /** Identifies the environment inside the plan (applications refer to it). */
  key: string;
  input: EnvironmentInput;
}

export interface PlannedApplication {
  environmentKey: string;
  input: ApplicationInput;
  /** Where the values came from (variable names, curl options), for the preview. */
  source: string[];
  /** What the user should know about this application (defaults taken, values left out). */
  notes: string[];
}

export interface Skipped {
  key: string;
  reason: string;
}

export interface ImportPlan {
  environments: PlannedEnvironment[];
  applications: PlannedApplication[];
  skipped: Skipped[];
  warnings: string[];
}

/** The part of the token service an import uses (TokenService satisfies it). */
export interface ImportTarget {
  listEnvironments(): Environment[];
  listApplications(environmentId?: string): Application[];
  addEnvironment(input: EnvironmentInput): Promise<Environment>;
  addApplication(environmentId: string, input: ApplicationInput): Promise<Application>;
  updateApplication(id: string, input: ApplicationInput): Promise<Application>;
  hasClientSecret(applicationId: string): Promise<boolean>;
}

const noSlash = (s: string) => s.replace(/\/+$/, '');

/** The stored environment a planned one is the same as: same kind and issuer (a trailing slash aside). */
export function matchEnvironment(input: EnvironmentInput, environments: Environment[]): Environment | undefined {
  const wanted = validateEnvironment(input, 'planned');
  return environments.find((e) => e.kind === wanted.kind && noSlash(e.issuer) === noSlash(wanted.issuer));
}

/** The stored application a planned one is the same as: same environment and client ID. */
export function matchApplication(environmentId: string, clientId: string, applications: Application[]): Application | undefined {
  return applications.find((a) => a.environmentId === environmentId && a.clientId === clientId);
}

/** An existing application updated with what the import knows; what it does not know is kept. */
function mergedInput(existing: Application, input: ApplicationInput): ApplicationInput {
  return {
    name: existing.name,
    clientId: existing.clientId,
    authMethod: input.authMethod ?? existing.authMethod,
    clientSecret: input.clientSecret,
    grants: input.grants ?? existing.grants,
    scopes: input.scopes ?? existing.scopes,
    redirectUri: input.redirectUri ?? existing.redirectUri,
  };
}

export interface PlanPreview {
  environments: Array<Environment & { existing: boolean }>;
  applications: Array<Application & { existing: boolean; hasSecret: boolean; notes: string[] }>;
  skipped: Skipped[];
  warnings: string[];
}

/** The plan's environment an application belongs to (a plan always names one of its own). */
function environmentOf<E>(byKey: ReadonlyMap<string, E>, pa: PlannedApplication): E {
  const env = byKey.get(pa.environmentKey);
  if (!env) throw new Error(`The import plan has no environment "${pa.environmentKey}" for application ${pa.input.clientId}.`);
  return env;
}

/**
 * What applying the plan would create or update, without writing anything. New entries get ids
 * of the form `new:…`; entries that already exist keep theirs.
 */
export async function previewPlan(plan: ImportPlan, target: ImportTarget): Promise<PlanPreview> {
  const stored = target.listEnvironments();
  const envByKey = new Map<string, Environment & { existing: boolean }>();
  for (const pe of plan.environments) {
    const existing = matchEnvironment(pe.input, stored);
    envByKey.set(pe.key, existing ? { ...existing, existing: true } : { ...validateEnvironment(pe.input, `new:${pe.key}`), existing: false });
  }
  const applications: PlanPreview['applications'] = [];
  for (const pa of plan.applications) {
    const env = environmentOf(envByKey, pa);
    const existing = env.existing ? matchApplication(env.id, pa.input.clientId, target.listApplications(env.id)) : undefined;
    const id = existing?.id ?? `new:${pa.environmentKey}:${pa.input.clientId}`;
    const input = existing ? mergedInput(existing, pa.input) : pa.input;
    const hasStoredSecret = existing ? await target.hasClientSecret(existing.id) : false;
    const app = validateApplication(input, { id, environmentId: env.id }, { hasStoredSecret: true });
    const hasSecret = app.authMethod !== 'none' && (Boolean(pa.input.clientSecret) || hasStoredSecret);
    applications.push({ ...app, existing: Boolean(existing), hasSecret, notes: pa.notes });
  }
  return { environments: [...envByKey.values()], applications, skipped: plan.skipped, warnings: plan.warnings };
}

/** The preview as lines a person reads before confirming (no secret values, ever). */
export function describePreview(preview: PlanPreview): string[] {
  const lines: string[] = [];
  const envName = (id: string) => preview.environments.find((e) => e.id === id)?.name ?? '?';
  for (const e of preview.environments) {
    lines.push(`${e.existing ? 'Reuse' : 'Create'} environment "${e.name}" (${e.issuer})`);
  }
  for (const a of preview.applications) {
    const secret = a.authMethod === 'none' ? 'public client' : a.hasSecret ? 'secret → SecretStorage' : 'no secret yet';
    lines.push(
      `${a.existing ? 'Update' : 'Create'} application "${a.name}" in "${envName(a.environmentId)}": ${a.clientId}, ${a.authMethod}, ${a.grants.join(' + ')}, ${secret}`,
    );
    for (const n of a.notes) lines.push(`    ${n}`);
  }
  for (const s of preview.skipped) lines.push(`Skipped ${s.key}: ${s.reason}`);
  for (const w of preview.warnings) lines.push(`Warning: ${w}`);
  return lines;
}

/**
 * Creates what the plan proposes, reusing stored environments and updating stored applications
 * (same client ID in the same environment) instead of adding duplicates. Every input is validated
 * before the first write, so a plan that cannot be applied changes nothing.
 */
export async function applyPlan(plan: ImportPlan, target: ImportTarget): Promise<{ environments: Environment[]; applications: Application[] }> {
  for (const pe of plan.environments) validateEnvironment(pe.input, 'check');
  const planned = new Map(plan.environments.map((pe) => [pe.key, pe]));
  for (const pa of plan.applications) {
    environmentOf(planned, pa);
    validateApplication(pa.input, { id: 'check', environmentId: 'check' }, { hasStoredSecret: true });
  }
  const envByKey = new Map<string, Environment>();
  for (const pe of plan.environments) {
    envByKey.set(pe.key, matchEnvironment(pe.input, target.listEnvironments()) ?? (await target.addEnvironment(pe.input)));
  }
  const applications: Application[] = [];
  for (const pa of plan.applications) {
    const env = environmentOf(envByKey, pa);
    const existing = matchApplication(env.id, pa.input.clientId, target.listApplications(env.id));
    applications.push(existing ? await target.updateApplication(existing.id, mergedInput(existing, pa.input)) : await target.addApplication(env.id, pa.input));
  }
  return { environments: [...new Map([...envByKey.values()].map((e) => [e.id, e])).values()], applications };
}
