/**
 * PingOne management API client: the few reads an import needs (environments, applications with
 * cursor paging through `_links.next`, one application, an application's secret), each a GET with
 * a worker application's bearer token. Platform errors (`{ id, code, message, details[] }`) become
 * `ManagementError`s carrying the server's code, message, `details[].target` and the correlation
 * `id`; a `429` is retried once after its `Retry-After`. Pure of `vscode`.
 */
import { ExplorerError } from '../errors';
import { type HttpResponse, type HttpSettings, describeBody, httpRequest, tryParseJson } from '../http';
import { redact } from '../redact';

export interface ManagementErrorDetail {
  code?: string;
  target?: string;
  message?: string;
}

/** A failed management call. `code` is PingOne's (`ACCESS_FAILED`, `NOT_FOUND`, `REQUEST_LIMITED`, …). */
export class ManagementError extends ExplorerError {
  /** PingOne's correlation ID (`id` of the error body), for a support case. */
  readonly correlationId?: string;
  readonly details: ManagementErrorDetail[];

  constructor(code: string, message: string, opts: { status: number; correlationId?: string; details?: ManagementErrorDetail[]; description?: string }) {
    super(code, message, { status: opts.status, description: opts.description });
    this.correlationId = opts.correlationId;
    this.details = opts.details ?? [];
  }

  /** True when a detail (or the error itself) has this code, e.g. 'INSUFFICIENT_PERMISSIONS'. */
  has(code: string): boolean {
    return this.code === code || this.details.some((d) => d.code === code);
  }
}

export interface ManagementCall {
  /** `https://api.pingone.{tld}/v1`, or an explicit API base. */
  apiBase: string;
  accessToken: string;
  http: HttpSettings;
  /** Waits before the one retry after a 429 (injectable for tests); default: a timer that the signal cancels. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A Retry-After wait longer than this is not waited for: the error says when to try again. */
const MAX_RETRY_AFTER_S = 30;

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ExplorerError('cancelled', 'The request was cancelled.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ExplorerError('cancelled', 'The request was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

const ADVICE: Record<string, string> = {
  ACCESS_FAILED: 'The worker application lacks a role for this, or its token was refused.',
  NOT_FOUND: 'It may have been deleted, or the worker cannot see it.',
  REQUEST_LIMITED: 'PingOne is rate limiting this tenant: try again shortly.',
  UNEXPECTED_ERROR: 'PingOne had an internal error: try again, and quote the correlation ID if it persists.',
};

/** The platform error of a non-2xx answer, in the user's words, with the server's own message. */
export function managementError(res: HttpResponse, what: string): ManagementError {
  const body = tryParseJson(res);
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const code =
    typeof o?.code === 'string'
      ? o.code
      : res.status === 429
        ? 'REQUEST_LIMITED'
        : res.status === 404
          ? 'NOT_FOUND'
          : res.status === 401 || res.status === 403
            ? 'ACCESS_FAILED'
            : 'http_error';
  const details: ManagementErrorDetail[] = Array.isArray(o?.details)
    ? (o.details as unknown[])
        .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
        .map((d) => ({
          code: typeof d.code === 'string' ? d.code : undefined,
          target: typeof d.target === 'string' ? d.target : undefined,
          message: typeof d.message === 'string' ? redact(d.message) : undefined,
        }))
    : [];
  const serverMessage = typeof o?.message === 'string' ? redact(o.message) : undefined;
  const correlationId = typeof o?.id === 'string' ? o.id : undefined;
  const detailText = details
    .map((d) => [d.target && `${d.target}:`, d.message ?? d.code].filter(Boolean).join(' '))
    .filter(Boolean)
    .join('; ');
  const parts = [
    `${what} failed: ${serverMessage ?? `HTTP ${res.status} with ${describeBody(res)}`}`,
    detailText && `(${detailText})`,
    ADVICE[code],
    `[${res.status} ${code}${correlationId ? `, correlation ID ${correlationId}` : ''}]`,
  ];
  return new ManagementError(code, parts.filter(Boolean).join(' '), { status: res.status, correlationId, details, description: serverMessage });
}

/** GET a management resource as JSON; retries once after a 429's Retry-After. */
async function get(call: ManagementCall, url: string, what: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; ; attempt++) {
    const res = await httpRequest({ method: 'GET', url, headers: { Authorization: `Bearer ${call.accessToken}` } }, call.http);
    if (res.status >= 200 && res.status < 300) {
      const body = tryParseJson(res);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new ExplorerError('invalid_response', `${what}: the management API answered ${res.status} with ${describeBody(res)}.`, { status: res.status });
      }
      return body as Record<string, unknown>;
    }
    const wait = res.status === 429 ? retryAfterSeconds(res.header('retry-after')) : undefined;
    if (attempt === 0 && wait !== undefined && wait <= MAX_RETRY_AFTER_S) {
      await (call.sleep ?? defaultSleep)(wait * 1000, call.http.signal);
      continue;
    }
    const err = managementError(res, what);
    if (res.status === 429 && wait !== undefined && attempt === 0) {
      throw new ManagementError(err.code, `${err.message} PingOne asks to wait ${wait} s.`, { status: 429, correlationId: err.correlationId, details: err.details });
    }
    throw err;
  }
}

const seg = (s: string) => encodeURIComponent(s);

/** Follows `_links.next.href` until it is absent, collecting `_embedded[key]`. Links must stay on the API's origin. */
async function paged(call: ManagementCall, first: string, key: string, what: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const origin = new URL(call.apiBase).origin;
  const seen = new Set<string>();
  let url: string | undefined = first;
  while (url) {
    if (seen.has(url) || seen.size >= 500) throw new ExplorerError('invalid_response', `${what}: the management API's paging links go round in a circle.`);
    seen.add(url);
    const page = await get(call, url, what);
    const embedded = page._embedded as Record<string, unknown> | undefined;
    const items = embedded?.[key];
    if (items !== undefined && !Array.isArray(items)) throw new ExplorerError('invalid_response', `${what}: _embedded.${key} is not a list.`);
    for (const item of items ?? []) if (typeof item === 'object' && item !== null) out.push(item as Record<string, unknown>);
    const next = ((page._links as Record<string, unknown> | undefined)?.next as { href?: unknown } | undefined)?.href;
    if (typeof next !== 'string' || next === '') break;
    const resolved: URL = new URL(next, url);
    // The bearer token goes only where the API base is.
    if (resolved.origin !== origin) throw new ExplorerError('invalid_response', `${what}: the next page is on another host (${resolved.host}); not following it.`);
    url = resolved.href;
  }
  return out;
}

export function listEnvironments(call: ManagementCall): Promise<Record<string, unknown>[]> {
  return paged(call, `${call.apiBase}/environments`, 'environments', 'Listing environments');
}

export function listApplications(call: ManagementCall, environmentId: string): Promise<Record<string, unknown>[]> {
  return paged(call, `${call.apiBase}/environments/${seg(environmentId)}/applications`, 'applications', 'Listing applications');
}

export function readApplication(call: ManagementCall, environmentId: string, applicationId: string): Promise<Record<string, unknown>> {
  return get(call, `${call.apiBase}/environments/${seg(environmentId)}/applications/${seg(applicationId)}`, 'Reading the application');
}

export interface ApplicationSecret {
  secret: string;
  /** While a rotated secret is still accepted. */
  previous?: { secret: string; expiresAt?: string; lastUsed?: string };
}

export async function readApplicationSecret(call: ManagementCall, environmentId: string, applicationId: string): Promise<ApplicationSecret> {
  const body = await get(call, `${call.apiBase}/environments/${seg(environmentId)}/applications/${seg(applicationId)}/secret`, 'Reading the application secret');
  if (typeof body.secret !== 'string' || body.secret === '') throw new ExplorerError('invalid_response', 'Reading the application secret: the answer has no secret.');
  const p = body.previous as Record<string, unknown> | undefined;
  const previous =
    p && typeof p.secret === 'string'
      ? { secret: p.secret, expiresAt: typeof p.expiresAt === 'string' ? p.expiresAt : undefined, lastUsed: typeof p.lastUsed === 'string' ? p.lastUsed : undefined }
      : undefined;
  return { secret: body.secret, ...(previous ? { previous } : {}) };
}
