/**
 * A pasted curl command (as in Ping's docs) or a bare token URL, read into an import plan: the
 * token URL gives the environment (PingOne `/{envId}/as/token`, PingFederate `/as/token.oauth2`,
 * a PingOne custom domain `/as/token`), the credentials give the application and its auth method
 * (`--user` or `Authorization: Basic` → client_secret_basic; `client_secret` in the body or the query
 * → client_secret_post; `client_id` alone → none). Pure: nothing is sent or stored here.
 */
import { type AuthMethod, GRANT_TYPES, validateClientId, validateScopes } from '../application';
import { type EnvironmentInput, REGIONS, isLoopbackHost, validateEnvironmentId } from '../environment';
import { invalidInput, isExplorerError } from '../errors';
import type { Grant } from '../tokenSet';
import type { ImportPlan } from './plan';

/** What a curl command line says, option by option (values as curl would send them). */
export interface CurlRequest {
  url?: string;
  method?: string;
  user?: string;
  headers: Array<{ name: string; value: string }>;
  /** Form fields from -d / --data* / --data-urlencode, decoded. */
  form: Array<{ name: string; value: string }>;
  warnings: string[];
}

/** Splits a command line as a POSIX shell would: quotes, backslash escapes, line continuations. */
export function shellWords(command: string): string[] {
  const text = command
    .replace(/\\\r?\n/g, ' ')
    .replace(/\^\r?\n/g, ' ')
    .replace(/`\r?\n/g, ' ');
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const push = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      push();
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw invalidInput('command', "The command has an unclosed single quote (').");
      word = (word ?? '') + text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let out = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) i++;
        out += text[i];
        i++;
      }
      if (i >= text.length) throw invalidInput('command', 'The command has an unclosed double quote (").');
      word = (word ?? '') + out;
      i++;
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[i + 1];
      i += 2;
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  push();
  return words;
}

const VALUE_OPTIONS: Record<string, string> = {
  '-u': 'user',
  '--user': 'user',
  '-H': 'header',
  '--header': 'header',
  '-d': 'data',
  '--data': 'data',
  '--data-raw': 'data',
  '--data-ascii': 'data',
  '--data-binary': 'data',
  '--data-urlencode': 'data-urlencode',
  '-X': 'method',
  '--request': 'method',
  '--url': 'url',
  '-F': 'form',
  '--form': 'form',
};
/** Options that take a value the import does not need (skipped with it). */
const IGNORED_WITH_VALUE = new Set([
  '-o',
  '--output',
  '-A',
  '--user-agent',
  '-e',
  '--referer',
  '-b',
  '--cookie',
  '-c',
  '--cookie-jar',
  '--connect-timeout',
  '-m',
  '--max-time',
  '--cacert',
  '--cert',
  '-E',
  '--key',
  '-x',
  '--proxy',
  '--retry',
  '-w',
  '--write-out',
  '--resolve',
  '--limit-rate',
]);

function decodeForm(text: string): Array<{ name: string; value: string }> {
  return [...new URLSearchParams(text)].map(([name, value]) => ({ name, value }));
}

/** Reads a curl command line (or a bare URL) option by option. */
export function parseCurl(command: string): CurlRequest {
  const words = shellWords(command.trim());
  const req: CurlRequest = { headers: [], form: [], warnings: [] };
  if (/^curl(\.exe)?$/i.test(words[0] ?? '')) words.shift();
  const take = (kind: string, value: string) => {
    switch (kind) {
      case 'user':
        req.user = value;
        return;
      case 'header': {
        const colon = value.indexOf(':');
        if (colon > 0) req.headers.push({ name: value.slice(0, colon).trim(), value: value.slice(colon + 1).trim() });
        return;
      }
      case 'data':
        if (value.startsWith('@')) req.warnings.push(`The body is read from a file (${value.slice(0, 40)}), which the import cannot see: paste the fields instead.`);
        else req.form.push(...decodeForm(value));
        return;
      case 'data-urlencode': {
        // curl: "name=content" sends name=urlencode(content); "=content" and "content" send the content alone.
        const eq = value.indexOf('=');
        const at = value.indexOf('@');
        if (at >= 0 && (eq < 0 || at < eq)) req.warnings.push('A --data-urlencode field is read from a file, which the import cannot see: paste the value instead.');
        else if (eq > 0) req.form.push({ name: value.slice(0, eq), value: value.slice(eq + 1) });
        return;
      }
      case 'method':
        req.method = value.toUpperCase();
        return;
      case 'url':
        req.url ??= value;
        return;
      case 'form':
        req.warnings.push('Multipart form fields (-F) are not read: token endpoints take a form-urlencoded body (-d).');
        return;
    }
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq > 0 ? w.slice(0, eq) : w;
      const kind = VALUE_OPTIONS[name];
      if (kind || IGNORED_WITH_VALUE.has(name)) {
        const value = eq > 0 ? w.slice(eq + 1) : words[++i];
        if (value === undefined) throw invalidInput('command', `The option ${name} has no value.`);
        if (kind) take(kind, value);
      }
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      // A cluster of short options (-sSL); one that takes a value ends the cluster.
      for (let j = 1; j < w.length; j++) {
        const opt = `-${w[j]}`;
        const kind = VALUE_OPTIONS[opt];
        if (kind || IGNORED_WITH_VALUE.has(opt)) {
          const value = j + 1 < w.length ? w.slice(j + 1) : words[++i];
          if (value === undefined) throw invalidInput('command', `The option ${opt} has no value.`);
          if (kind) take(kind, value);
          break;
        }
      }
      continue;
    }
    req.url ??= w;
  }
  return req;
}

export interface CurlImport {
  plan: ImportPlan;
  /** The grant the command runs (its grant_type), e.g. 'client_credentials'. */
  grant: string;
  warnings: string[];
}

/** Each grant by its `grant_type` (the URNs of device, token exchange and CIBA included). */
const GRANT_NAMES: Record<string, string> = Object.fromEntries(Object.entries(GRANT_TYPES).map(([grant, type]) => [type, grant]));

/** The environment a token URL belongs to, or an `invalid_input` naming the shapes it knows. */
function environmentFor(url: URL): { input: EnvironmentInput; notes: string[] } {
  const path = url.pathname.replace(/\/+$/, '');
  const p1 = /^(.*)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/as\/token$/i.exec(path);
  if (p1) {
    const environmentId = validateEnvironmentId(p1[2]);
    const base = `${url.origin}${p1[1]}`;
    const region = Object.entries(REGIONS).find(([, r]) => r.authBase === base)?.[0];
    return {
      input: { name: region ? `PingOne ${region}` : `PingOne ${url.host}`, kind: 'pingone', environmentId, ...(region ? { region } : { authBaseUrl: base }) },
      notes: [],
    };
  }
  const pf = /^(.*)\/as\/token\.oauth2$/i.exec(path);
  if (pf) return { input: { name: `PingFederate ${url.host}`, kind: 'pingfederate', issuer: `${url.origin}${pf[1]}` }, notes: [] };
  const custom = /^(.*)\/as\/token$/i.exec(path);
  if (custom) {
    return {
      input: { name: url.host, kind: 'oidc', issuer: `${url.origin}${custom[1]}/as` },
      notes: ['No environment ID in the URL: treated as a PingOne custom domain (issuer …/as).'],
    };
  }
  throw invalidInput(
    'url',
    `${url.origin}${url.pathname} is not a token endpoint the import recognises: expected PingOne's https://auth.pingone.com/{environmentId}/as/token or PingFederate's https://…/as/token.oauth2.`,
  );
}

/** Reads a pasted curl command (or a bare token URL with its parameters in the query) into a plan. */
export function planCurlImport(command: string): CurlImport {
  if (typeof command !== 'string' || command.trim() === '') throw invalidInput('command', 'Paste a curl command or a token URL.');
  const req = parseCurl(command);
  const warnings = [...req.warnings];
  if (!req.url) throw invalidInput('command', 'The command has no URL: expected curl … https://auth.pingone.com/{environmentId}/as/token.');
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw invalidInput('url', `"${req.url.slice(0, 80)}" is not a URL.`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    throw invalidInput('url', 'The token URL must use https:// (plain http is only allowed for loopback hosts).');
  const query = [...url.searchParams].map(([name, value]) => ({ name, value }));
  const field = (name: string) => req.form.find((f) => f.name === name)?.value ?? query.find((f) => f.name === name)?.value;
  const inQuery = (name: string) => query.some((f) => f.name === name) && !req.form.some((f) => f.name === name);

  let clientId: string | undefined;
  let clientSecret: string | undefined;
  let authMethod: AuthMethod = 'none';
  const basic = req.headers.find((h) => h.name.toLowerCase() === 'authorization');
  if (basic && /^basic\s+/i.test(basic.value)) {
    let decoded: string;
    try {
      decoded = Buffer.from(basic.value.replace(/^basic\s+/i, '').trim(), 'base64').toString('utf8');
    } catch {
      decoded = '';
    }
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw invalidInput('command', 'The Authorization: Basic header does not decode to client_id:client_secret.');
    // RFC 6749 §2.3.1: both halves were form-urlencoded before base64.
    const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    try {
      clientId = unform(decoded.slice(0, colon));
      clientSecret = unform(decoded.slice(colon + 1));
    } catch {
      clientId = decoded.slice(0, colon);
      clientSecret = decoded.slice(colon + 1);
    }
    authMethod = 'client_secret_basic';
  } else if (basic && /^bearer\s+/i.test(basic.value)) {
    warnings.push('The Authorization: Bearer header is a token, not client credentials: it was not imported.');
  }
  if (!clientId && req.user !== undefined) {
    const colon = req.user.indexOf(':');
    clientId = colon >= 0 ? req.user.slice(0, colon) : req.user;
    clientSecret = colon >= 0 ? req.user.slice(colon + 1) : undefined;
    authMethod = 'client_secret_basic';
    if (!clientSecret) throw invalidInput('command', '--user has a client ID but no secret (expected --user client_id:client_secret).');
  }
  const bodyId = field('client_id');
  const bodySecret = field('client_secret');
  if (clientId && bodyId && bodyId !== clientId) {
    throw invalidInput('command', `The command names two client IDs (${clientId} in the credentials, ${bodyId} in client_id): keep one.`);
  }
  if (!clientId && bodySecret !== undefined) {
    clientId = bodyId;
    clientSecret = bodySecret;
    authMethod = 'client_secret_post';
  } else if (clientId && bodySecret !== undefined) {
    warnings.push('The command sends the secret twice (in the credentials and in client_secret): the import uses client_secret_basic.');
  }
  if (!clientId) clientId = bodyId;
  if (!clientId) {
    throw invalidInput('command', 'The command has no client ID: expected --user client_id:client_secret, an Authorization: Basic header, or client_id=… in the body.');
  }
  clientId = validateClientId(clientId);
  if (inQuery('client_secret')) {
    warnings.push(
      'The client secret is in the URL query: servers and proxies write URLs to their logs, so treat that secret as exposed and rotate it. The extension sends it in the form body (client_secret_post).',
    );
  }
  if (field('refresh_token') !== undefined) warnings.push('The command contains a refresh token: it was not imported (sign in from the tree for fresh tokens).');

  const rawGrant = field('grant_type') ?? 'client_credentials';
  const grant = GRANT_NAMES[rawGrant] ?? rawGrant;
  const notes: string[] = field('grant_type') ? [] : ['No grant_type in the command: assumed client_credentials.'];
  const grants: Grant[] =
    authMethod === 'none' || grant === 'authorization_code' || grant === 'refresh_token'
      ? ['authorization_code']
      : grant === 'client_credentials'
        ? ['client_credentials']
        : ['client_credentials', 'authorization_code'];
  if (authMethod === 'none' && grant === 'client_credentials') {
    throw invalidInput(
      'command',
      'The client-credentials grant needs a client secret (--user id:secret, an Authorization: Basic header or client_secret=…), and the command has none.',
    );
  }
  let scopes: string | undefined;
  try {
    scopes = validateScopes(field('scope'));
  } catch (err) {
    if (!isExplorerError(err)) throw err;
    notes.push(`scope left out: ${err.message}`);
  }
  const env = environmentFor(url);
  const source = ['url', authMethod === 'client_secret_basic' ? (req.user !== undefined && !basic ? '--user' : 'Authorization: Basic') : 'client_id'];
  return {
    plan: {
      environments: [{ key: 'curl', input: env.input }],
      applications: [
        {
          environmentKey: 'curl',
          input: { name: clientId.slice(0, 100), clientId, clientSecret, authMethod, grants, ...(scopes ? { scopes } : {}) },
          source,
          notes: [...env.notes, ...notes],
        },
      ],
      skipped: [],
      warnings,
    },
    grant,
    warnings,
  };
}
