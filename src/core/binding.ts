/**
 * Secrets bound to where they may be sent. A client secret and a token set are stored together
 * with the issuer (and the token endpoint's origin) they were created for, in SecretStorage, so
 * an environment whose issuer changed (edited here, or brought by Settings Sync: the environment
 * list roams, secrets do not) can never carry them to another server. Pure: no storage, no I/O.
 */
import type { Environment } from './environment';
import { ExplorerError } from './errors';
import { differOnlyBySlash } from './serverMetadata';

/** The issuer, and the token endpoint's origin once it is known, that a secret belongs to. */
export interface Binding {
  issuer: string;
  tokenOrigin?: string;
}

/** The stored form of a client secret (version 2; version 1 was the bare secret). */
interface StoredClientSecret {
  v: 2;
  secret: string;
  issuer: string;
  tokenOrigin?: string;
}

export function encodeClientSecret(secret: string, binding: Binding): string {
  const stored: StoredClientSecret = { v: 2, secret, issuer: binding.issuer, tokenOrigin: binding.tokenOrigin };
  return JSON.stringify(stored);
}

/** The secret and its binding; a secret stored before bindings existed has none (`binding` undefined). */
export function decodeClientSecret(raw: string): { secret: string; binding?: Binding } {
  if (raw.startsWith('{')) {
    try {
      const v = JSON.parse(raw) as Partial<StoredClientSecret>;
      if (v && v.v === 2 && typeof v.secret === 'string' && typeof v.issuer === 'string') {
        return { secret: v.secret, binding: { issuer: v.issuer, tokenOrigin: typeof v.tokenOrigin === 'string' ? v.tokenOrigin : undefined } };
      }
    } catch {
      // A version-1 secret that happens to start with "{": the bare secret.
    }
  }
  return { secret: raw };
}

export function originOf(url: string): string {
  return new URL(url).origin;
}

/** The binding for something created now, against these endpoints. */
export function bindingFor(env: Environment, tokenEndpoint: string): Binding {
  return { issuer: env.issuer, tokenOrigin: originOf(tokenEndpoint) };
}

/**
 * Throws `issuer_changed` when `binding` does not match the environment as it is now (its issuer)
 * or the token endpoint it would be sent to (its origin). `what` names the secret for the message.
 */
export function checkBinding(binding: Binding, env: Environment, tokenEndpoint: string, what: string, fix: string): void {
  // Only a trailing slash apart is the same issuer: discovery settled it and the environment adopted it.
  if (binding.issuer !== env.issuer && !differOnlyBySlash(binding.issuer, env.issuer)) {
    throw new ExplorerError(
      'issuer_changed',
      `${what} belongs to the issuer ${binding.issuer}, but the environment "${env.name}" now names ${env.issuer} (changed here or by Settings Sync), so it was not sent. ${fix}`,
      { field: 'issuer' },
    );
  }
  const origin = originOf(tokenEndpoint);
  if (binding.tokenOrigin && binding.tokenOrigin !== origin) {
    throw new ExplorerError(
      'issuer_changed',
      `${what} was used with the token endpoint at ${binding.tokenOrigin}, but the issuer now names ${origin}, so it was not sent. ${fix}`,
      { field: 'token_endpoint' },
    );
  }
}
