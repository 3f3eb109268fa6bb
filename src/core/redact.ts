/**
 * Redaction for anything that may reach a log line, an error message or the UI.
 * Three layers: exact values known to be secret (client secrets, tokens and passwords of the
 * current call, passed by the caller), every secret this process has handled (remembered when it
 * is read, stored or sent, so a path that forgot to pass one is still covered), and patterns that
 * look like credentials wherever they appear. Each secret is matched as is and in the encodings a
 * server may echo it in: form-encoded, percent-encoded, JSON-escaped, and (for a client secret)
 * the base64 of `id:secret` that Basic authentication sends. `ExplorerError` redacts its message
 * when it is created, so every output path (log, notifications, the sign-in page, errors thrown to
 * VS Code) gets redacted text.
 */
const REDACTED = '[redacted]';

/** Very short values would redact ordinary words; they are not plausible secrets anyway. */
const MIN_LENGTH = 4;
/** Bounded: the oldest remembered values are forgotten first. */
const MAX_REMEMBERED = 2000;
const remembered = new Set<string>();
/** Every variant of every remembered secret, longest first; rebuilt after a change. */
let rememberedVariants: string[] | undefined;

/** The forms in which a secret may come back from a server. */
function variants(secret: string): string[] {
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  return [...new Set([secret, form, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])];
}

/** The base64 credential of Basic authentication (RFC 6749 §2.3.1), which servers echo without the word "Basic". */
export function basicCredential(clientId: string, clientSecret: string): string {
  const enc = (value: string) => new URLSearchParams({ value }).toString().slice('value='.length);
  return Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64');
}

/** Remembers secrets for every later `redact` in this process (client secrets, tokens, passwords). */
export function rememberSecrets(...values: ReadonlyArray<string | undefined>): void {
  for (const value of values) {
    if (!value || value.length < MIN_LENGTH) continue;
    remembered.delete(value);
    remembered.add(value);
  }
  while (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.values().next().value as string);
  rememberedVariants = undefined;
}

const longestFirst = (a: string, b: string) => b.length - a.length;

const PATTERNS: Array<[RegExp, string]> = [
  // JWTs (three base64url segments, the first starting with '{"' encoded as 'eyJ').
  [/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, REDACTED],
  // Authorization headers.
  [/\b(Bearer|Basic|DPoP)\s+[\w\-.~+/=]+/gi, `$1 ${REDACTED}`],
  // Credential-bearing form fields or query parameters.
  [/\b(access_token|refresh_token|id_token|client_secret|code_verifier|code|token|password|client_assertion|assertion)=([^&\s"']+)/gi, `$1=${REDACTED}`],
  // The same names as JSON members.
  [/"(access_token|refresh_token|id_token|client_secret|code_verifier|token|password|secret|previous)"\s*:\s*"[^"]*"/gi, `"$1":"${REDACTED}"`],
];

/** Replaces every known secret and every credential-shaped substring in `text`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = String(text);
  rememberedVariants ??= [...new Set([...remembered].flatMap(variants))].sort(longestFirst);
  const given = secrets.filter((s): s is string => !!s && s.length >= MIN_LENGTH).flatMap(variants);
  // Longest first, so a secret that contains another is replaced whole.
  const all = given.length ? [...new Set([...given, ...rememberedVariants])].sort(longestFirst) : rememberedVariants;
  for (const value of all) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A URL safe to log: origin and path only (queries can carry codes and tokens). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return redact(url);
  }
}
