/**
 * Typed errors. Every failure the extension reports carries a machine-readable `code`:
 * the server's OAuth `error` value when it sent one (`invalid_client`, `invalid_grant`, …),
 * otherwise one of the transport/validation codes below. Messages are written for a person
 * and never contain a secret or a token (callers pass values through `redact` first).
 */
import { redact } from './redact';

export type TransportErrorCode =
  | 'timeout' // the request did not complete within the configured time
  | 'network' // refused, reset, DNS failure, TLS failure
  | 'http_error' // a non-2xx answer without an OAuth error body
  | 'invalid_response' // a 2xx whose body is not JSON or lacks a required field
  | 'invalid_input' // rejected before any request was sent
  | 'cancelled' // the user (or caller's AbortSignal) cancelled
  | 'issuer_changed'; // a stored secret belongs to another issuer than the environment names now; nothing was sent

/** A transport code, or an OAuth/OIDC error value sent by the server (e.g. 'invalid_grant'). */
export type ErrorCode = TransportErrorCode | (string & {});

export interface ExplorerErrorOptions {
  /** HTTP status of the response that caused the error, when there was one. */
  status?: number;
  /** The input field at fault, for `invalid_input`. */
  field?: string;
  /** The server's `error_description`, already redacted. */
  description?: string;
  cause?: unknown;
}

export class ExplorerError extends Error {
  override readonly name = 'ExplorerError';
  readonly code: ErrorCode;
  readonly status?: number;
  readonly field?: string;
  readonly description?: string;

  /** The message, code and description are redacted here, once, for every path they may take (core/redact). */
  constructor(code: ErrorCode, message: string, options: ExplorerErrorOptions = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = redact(code);
    this.status = options.status;
    this.field = options.field;
    this.description = options.description === undefined ? undefined : redact(options.description);
  }
}

export function isExplorerError(value: unknown, code?: ErrorCode): value is ExplorerError {
  return value instanceof ExplorerError && (code === undefined || value.code === code);
}

/** Shorthand for a validation failure that names the field and why. */
export function invalidInput(field: string, message: string): ExplorerError {
  return new ExplorerError('invalid_input', message, { field });
}
