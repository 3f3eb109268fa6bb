/**
 * The device authorization grant (RFC 8628): ask the device authorization endpoint for a device
 * code and a user code (§3.1-3.2), then poll the token endpoint with the device code (§3.4-3.5)
 * through the shared polling loop. Pure of `vscode`; the caller shows the user code.
 */
import { GRANT_TYPES } from '../application';
import { ExplorerError, invalidInput } from '../errors';
import type { HttpResponse } from '../http';
import { type OAuthCall, type TokenResponse, optionalString, postWithClientAuth, requireJsonObject, tokenRequest } from '../oauth';
import { DEFAULT_INTERVAL_SECONDS, type PollClock, pollForToken } from './polling';

export const DEVICE_CODE_GRANT_TYPE = GRANT_TYPES.device_code;

/** What the user needs to approve the device, and what the client polls with. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Epoch ms: after this the device code is dead. */
  expiresAt: number;
  /** Seconds between polls. */
  interval: number;
}

/** What may be shown (everything but the device code, which is a credential). */
export type UserCodeInfo = Omit<DeviceAuthorization, 'deviceCode'>;

const WHAT = 'Device authorization';

function httpUrl(body: Record<string, unknown>, key: string): string | undefined {
  const v = optionalString(body, key, WHAT);
  if (v === undefined) return undefined;
  if (!URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol)) {
    throw new ExplorerError('invalid_response', `${WHAT}: "${key}" in the answer is not an http(s) URL.`);
  }
  return v;
}

function positiveSeconds(body: Record<string, unknown>, key: string): number | undefined {
  const raw = body[key];
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === 'string' ? Number(raw.trim()) : raw;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    throw new ExplorerError('invalid_response', `${WHAT}: "${key}" in the answer is not a positive number of seconds.`);
  }
  return n;
}

/** Validates a device authorization response (RFC 8628 §3.2) received at `now`. */
export function parseDeviceAuthorizationResponse(res: HttpResponse, now: number): DeviceAuthorization {
  const body = requireJsonObject(res, WHAT);
  const deviceCode = optionalString(body, 'device_code', WHAT);
  const userCode = optionalString(body, 'user_code', WHAT);
  // Some servers (early drafts, Google) call it verification_url.
  const verificationUri = httpUrl(body, 'verification_uri') ?? httpUrl(body, 'verification_url');
  const expiresIn = positiveSeconds(body, 'expires_in');
  if (!deviceCode || !userCode || !verificationUri || expiresIn === undefined) {
    const missing = [!deviceCode && 'device_code', !userCode && 'user_code', !verificationUri && 'verification_uri', expiresIn === undefined && 'expires_in'].filter(
      Boolean,
    );
    throw new ExplorerError('invalid_response', `${WHAT}: the answer has no ${missing.join(', ')}.`, { status: res.status });
  }
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete: httpUrl(body, 'verification_uri_complete'),
    expiresAt: now + expiresIn * 1000,
    interval: positiveSeconds(body, 'interval') ?? DEFAULT_INTERVAL_SECONDS,
  };
}

/** RFC 8628 §3.1: POST the client (its authentication, or client_id alone) and the scope. */
export async function requestDeviceAuthorization(endpoint: string, call: OAuthCall, opts: { scope?: string; now: number }): Promise<DeviceAuthorization> {
  const form = new URLSearchParams();
  if (opts.scope) form.set('scope', opts.scope);
  const res = await postWithClientAuth(endpoint, call, form, WHAT, 'other');
  return parseDeviceAuthorizationResponse(res, opts.now);
}

/** One poll of the token endpoint (RFC 8628 §3.4). */
export function deviceCodeTokenRequest(tokenEndpoint: string, call: OAuthCall, deviceCode: string): Promise<TokenResponse> {
  if (!deviceCode) throw invalidInput('deviceCode', 'A device code is required.');
  const form = new URLSearchParams({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: deviceCode });
  return tokenRequest(tokenEndpoint, call, form, 'Device sign-in');
}

/** Polls until the user approves (or denies, or the code expires, or the caller aborts). */
export function pollDeviceToken(
  tokenEndpoint: string,
  call: OAuthCall,
  authorization: DeviceAuthorization,
  opts: { clock: PollClock; signal?: AbortSignal },
): Promise<TokenResponse> {
  return pollForToken(() => deviceCodeTokenRequest(tokenEndpoint, call, authorization.deviceCode), {
    intervalSeconds: authorization.interval,
    expiresAt: authorization.expiresAt,
    clock: opts.clock,
    signal: opts.signal,
    what: 'Device sign-in',
  });
}
