/**
 * Postman environment files (`.postman_environment.json`), as used with Ping Identity's own
 * collections: `{ name, values: [{ key, value, enabled, type }] }`. Ping's variable names map to an
 * environment (`tld`, `authPath`, `apiPath`, `envID`, `adminEnvID`) and applications (`adminAppID` /
 * `adminAppSecret`, `appID` / `appSecret` and every other `…AppID` / `…AppSecret` pair of the workflow
 * collections, `redirect_uri`). `{{name}}` references are resolved against the same file. Pure: it
 * reads a string and returns a plan (see plan.ts); nothing is stored here.
 */
import { AUTH_METHODS, type AuthMethod, validateClientId, validateRedirectUri } from '../application';
import { type EnvironmentInput, REGIONS, validateBaseUrl, validateEnvironmentId, validateName } from '../environment';
import { ExplorerError, invalidInput, isExplorerError } from '../errors';
import type { Grant } from '../tokenSet';
import type { ImportPlan, PlannedApplication, PlannedEnvironment, Skipped } from './plan';

interface Variable {
  key: string;
  value: string;
  secret: boolean;
}

/** Values that belong to one request or one sign-in, never to a configuration. */
const PER_REQUEST =
  /^(accessToken|access_token|idToken|id_token|refreshToken|refresh_token|authCode|code|codeVerifier|code_verifier|codeChallenge|state|nonce|flowID|flowId|sessionToken|workerToken)$/i;

/** PingOne's spelling of `tokenEndpointAuthMethod` (and ours) → the extension's, or why not. */
export function mapAuthMethod(value: string): { method: AuthMethod } | { unsupported: string } {
  const v = value.trim().toLowerCase();
  if ((AUTH_METHODS as readonly string[]).includes(v)) return { method: v as AuthMethod };
  if (v === 'client_secret_jwt' || v === 'private_key_jwt') return { unsupported: `${value} is not supported by this version of the extension yet` };
  return { unsupported: `unknown auth method "${value}"` };
}

/** Parses the file, or says in the user's words why it is not a Postman environment. */
function readFile(json: string): { name: string; variables: Variable[]; skipped: Skipped[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw invalidInput('file', `This file is not JSON (${err instanceof Error ? err.message : String(err)}): export the environment from Postman again.`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw invalidInput('file', 'This file is not a Postman environment: expected { "name", "values": [...] }.');
  const o = doc as Record<string, unknown>;
  if (!Array.isArray(o.values)) {
    if (typeof o.info === 'object' && Array.isArray(o.item)) {
      throw invalidInput('file', 'This is a Postman collection, not an environment: in Postman, open Environments, choose the environment and Export it.');
    }
    throw invalidInput('file', 'This file is not a Postman environment: it has no "values" list of variables.');
  }
  const skipped: Skipped[] = [];
  const variables: Variable[] = [];
  for (const [i, raw] of o.values.entries()) {
    const v = raw as Record<string, unknown> | null;
    if (typeof v !== 'object' || v === null || typeof v.key !== 'string' || v.key.trim() === '') {
      skipped.push({ key: `#${i + 1}`, reason: 'not a variable (no key)' });
      continue;
    }
    const key = v.key.trim();
    if (v.enabled === false) {
      skipped.push({ key, reason: 'disabled in this file' });
      continue;
    }
    const value = v.value === undefined || v.value === null ? '' : typeof v.value === 'string' ? v.value : String(v.value);
    variables.push({ key, value: value.trim(), secret: v.type === 'secret' });
  }
  const name = typeof o.name === 'string' && o.name.trim() ? o.name.trim().slice(0, 100) : 'Postman environment';
  return { name, variables, skipped };
}

const REFERENCE = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** `{{name}}` references resolved against the file's own variables (recursively, cycles refused). */
class Resolver {
  private readonly byKey = new Map<string, Variable>();
  constructor(variables: Variable[]) {
    for (const v of variables) this.byKey.set(v.key.toLowerCase(), v);
  }

  get(key: string): Variable | undefined {
    return this.byKey.get(key.toLowerCase());
  }

  /** The value with every reference replaced, or the names that could not be resolved. */
  resolve(key: string): { value?: string; missing: string[] } {
    const v = this.get(key);
    if (!v) return { missing: [] };
    const missing: string[] = [];
    const expand = (text: string, seen: string[]): string =>
      text.replace(REFERENCE, (whole, name: string) => {
        const ref = this.get(name);
        if (!ref || seen.includes(name.toLowerCase()) || ref.value === '') {
          missing.push(name);
          return whole;
        }
        return expand(ref.value, [...seen, name.toLowerCase()]);
      });
    const value = expand(v.value, [key.toLowerCase()]);
    return missing.length ? { missing } : { value, missing };
  }
}

function words(prefix: string): string {
  const spaced = prefix
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return spaced ? `${spaced[0].toUpperCase()}${spaced.slice(1)} app` : 'App';
}

/** Reads a Postman environment file into a plan; throws `invalid_input` when the file is not one. */
export function planPostmanImport(json: string): ImportPlan {
  const file = readFile(json);
  const r = new Resolver(file.variables);
  const skipped = [...file.skipped];
  const warnings: string[] = [];
  const used = new Set<string>();
  const skip = (key: string, reason: string) => {
    used.add(key.toLowerCase());
    skipped.push({ key, reason });
  };
  /** A resolved value, or undefined (reported) when the variable is absent, empty or unresolvable. */
  const value = (key: string): string | undefined => {
    const v = r.get(key);
    if (!v) return undefined;
    used.add(v.key.toLowerCase());
    const { value: resolved, missing } = r.resolve(v.key);
    if (missing.length) {
      skipped.push({ key: v.key, reason: `refers to ${[...new Set(missing)].map((m) => `{{${m}}}`).join(', ')}, which this file does not define (or leaves empty)` });
      return undefined;
    }
    return resolved === '' ? undefined : resolved;
  };

  // ---- where: auth base, region, API base ----
  let authBase: string | undefined;
  const authPath = value('authPath');
  const tld = value('tld');
  if (authPath) {
    try {
      authBase = validateBaseUrl('authPath', authPath);
    } catch (err) {
      if (!isExplorerError(err)) throw err;
      skip('authPath', err.message);
    }
  } else if (tld) {
    authBase = `https://auth.pingone.${tld.replace(/^\.+/, '')}`;
  }
  const region = Object.entries(REGIONS).find(([, v]) => v.authBase === authBase)?.[0] ?? (authBase ? undefined : 'NA');
  if (!authBase) warnings.push('No authPath or tld in this file: the environment uses the North America region (auth.pingone.com).');
  let apiBaseUrl: string | undefined;
  const apiPath = value('apiPath');
  if (apiPath) {
    try {
      const base = validateBaseUrl('apiPath', apiPath);
      const withVersion = /\/v1$/.test(base) ? base : `${base}/v1`;
      if (!(region && REGIONS[region as keyof typeof REGIONS].apiBase === withVersion)) apiBaseUrl = withVersion;
    } catch (err) {
      if (!isExplorerError(err)) throw err;
      skip('apiPath', err.message);
    }
  }
  const pingoneInput = (environmentId: string, name: string): EnvironmentInput => ({
    name: validateName(name),
    kind: 'pingone',
    environmentId,
    ...(region ? { region } : { authBaseUrl: authBase }),
    ...(apiBaseUrl ? { apiBaseUrl } : {}),
  });

  // ---- environments: envID, adminEnvID ----
  const environments: PlannedEnvironment[] = [];
  const envKey = new Map<'env' | 'admin', string>();
  for (const [which, key, name] of [
    ['env', 'envID', file.name],
    ['admin', 'adminEnvID', `${file.name} (admin)`],
  ] as const) {
    const raw = value(key);
    if (!raw) continue;
    let id: string;
    try {
      id = validateEnvironmentId(raw);
    } catch (err) {
      if (!isExplorerError(err)) throw err;
      skip(key, err.message);
      continue;
    }
    const existing = environments.find((e) => e.input.environmentId === id);
    if (existing) {
      envKey.set(which, existing.key);
      continue;
    }
    environments.push({ key, input: pingoneInput(id, name) });
    envKey.set(which, key);
  }

  // ---- applications: every …AppID with its …AppSecret ----
  const applications: PlannedApplication[] = [];
  const globalMethod = value('tokenEndpointAuthMethod') ?? value('authMethod');
  for (const v of file.variables) {
    const m = /^(.*?)AppID$/i.exec(v.key);
    if (!m) continue;
    const prefix = m[1];
    const isAdmin = /^admin$/i.test(prefix);
    const clientId = value(v.key);
    if (!clientId) {
      if (!skipped.some((s) => s.key === v.key)) skip(v.key, 'empty: no client ID to import');
      continue;
    }
    try {
      validateClientId(clientId);
    } catch (err) {
      if (!isExplorerError(err)) throw err;
      skip(v.key, err.message);
      continue;
    }
    const environmentKey = envKey.get(isAdmin ? 'admin' : 'env') ?? envKey.get(isAdmin ? 'env' : 'admin');
    const secretKey = r.get(`${prefix}AppSecret`)?.key;
    if (!environmentKey) {
      skip(v.key, `no ${isAdmin ? 'adminEnvID or envID' : 'envID'} in this file to put the application in`);
      if (secretKey) skip(secretKey, `belongs to ${v.key}, which was skipped`);
      continue;
    }
    const source = [v.key];
    const notes: string[] = [];
    const secret = secretKey ? value(secretKey) : undefined;
    if (secretKey) source.push(secretKey);
    if (secretKey && !secret) {
      if (!skipped.some((s) => s.key === secretKey)) skip(secretKey, 'empty');
      skip(v.key, `its secret ${secretKey} has no value: fill it in (Postman keeps secrets out of exports unless you ask) and import again`);
      continue;
    }
    const methodKey = r.get(`${prefix}AppTokenEndpointAuthMethod`)?.key ?? r.get(`${prefix}AppAuthMethod`)?.key;
    const declared = methodKey ? value(methodKey) : globalMethod;
    let authMethod: AuthMethod = secret ? 'client_secret_basic' : 'none';
    if (declared) {
      const mapped = mapAuthMethod(declared);
      if ('unsupported' in mapped) {
        skip(v.key, `${mapped.unsupported}: add this application by hand with a supported method`);
        continue;
      }
      authMethod = mapped.method;
      if (methodKey) source.push(methodKey);
      if (authMethod !== 'none' && !secret) {
        skip(v.key, `uses ${authMethod} but the file has no ${prefix}AppSecret`);
        continue;
      }
    } else if (!secret) {
      notes.push(`No ${prefix}AppSecret in the file: imported as a public client (auth method none); edit it to add a secret.`);
    } else {
      notes.push("Auth method client_secret_basic, as Ping's collections use.");
    }
    const worker = isAdmin || /worker/i.test(prefix);
    const grants: Grant[] = authMethod === 'none' ? ['authorization_code'] : worker ? ['client_credentials'] : ['client_credentials', 'authorization_code'];
    let redirectUri: string | undefined;
    const redirectKey = r.get(`${prefix}AppRedirectUri`)?.key ?? r.get('redirect_uri')?.key ?? r.get('redirectUri')?.key;
    if (grants.includes('authorization_code') && redirectKey) {
      const raw = value(redirectKey);
      try {
        redirectUri = validateRedirectUri(raw);
        if (redirectUri) source.push(redirectKey);
      } catch (err) {
        if (!isExplorerError(err)) throw err;
        notes.push(`${redirectKey} left out: ${err.message}`);
      }
    }
    applications.push({
      environmentKey,
      input: { name: words(isAdmin ? 'admin worker' : prefix), clientId, clientSecret: secret, authMethod, grants, ...(redirectUri ? { redirectUri } : {}) },
      source,
      notes,
    });
  }
  if (!environments.length) {
    throw new ExplorerError('invalid_input', 'This Postman environment has no usable envID or adminEnvID, so there is nothing to import.', { field: 'envID' });
  }

  // ---- everything else: say why it was not imported ----
  for (const v of file.variables) {
    const k = v.key.toLowerCase();
    if (used.has(k) || skipped.some((s) => s.key.toLowerCase() === k)) continue;
    if (PER_REQUEST.test(v.key)) skipped.push({ key: v.key, reason: 'a token or per-request value: not imported (get fresh tokens from the tree)' });
    else if (/secret|password/i.test(v.key) || v.secret) skipped.push({ key: v.key, reason: 'a secret that belongs to no …AppID: not imported' });
    else skipped.push({ key: v.key, reason: 'not used by the extension' });
  }
  return { environments, applications, skipped, warnings };
}
