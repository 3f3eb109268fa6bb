/**
 * Redaction for anything that may reach a log line, an error message or the UI.
 * Two layers: exact values known to be secret (client secrets, tokens of the current call),
 * and patterns that look like credentials wherever they appear.
 */
const REDACTED = '[redacted]';

const PATTERNS: Array<[RegExp, string]> = [
  // JWTs (three base64url segments, the first starting with '{"' encoded as 'eyJ').
  [/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, REDACTED],
  // Authorization headers.
  [/\b(Bearer|Basic|DPoP)\s+[\w\-.~+/=]+/gi, `$1 ${REDACTED}`],
  // Credential-bearing form fields or query parameters.
  [
    /\b(access_token|refresh_token|id_token|client_secret|code_verifier|code|token|password|client_assertion|assertion)=([^&\s"']+)/gi,
    `$1=${REDACTED}`,
  ],
  // The same names as JSON members.
  [
    /"(access_token|refresh_token|id_token|client_secret|code_verifier|token|password|secret|previous)"\s*:\s*"[^"]*"/gi,
    `"$1":"${REDACTED}"`,
  ],
];

/** Replaces every known secret and every credential-shaped substring in `text`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    // Very short values would redact ordinary words; they are not plausible secrets anyway.
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
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
