// Test-only control of requests that wait for a user elsewhere: a pending device code (RFC 8628)
// or CIBA request. A real user approves on another device; tests and the demo approve or deny here,
// as the demo user, and can make the next polls answer `slow_down`.
import { DEMO_USER } from './demo';
import type { OidcProvider } from './provider';

export type Decision = 'approve' | 'deny';

export interface PendingControl {
  /**
   * Approves (signs the demo user in and grants the requested scopes) or denies the pending device
   * code with this user code (default: the one issued last), at whichever variant issued it.
   * Rejects when no such code is pending.
   */
  device(userCode?: string, decision?: Decision): Promise<void>;
  /**
   * Approves (as the demo user) or denies the CIBA request issued last (or the one with this
   * auth_req_id), as the user's authentication device would.
   */
  ciba(decision?: Decision, authReqId?: string): Promise<void>;
  /** Resolves with the next user code the device authorization endpoint hands out. */
  nextUserCode(): Promise<string>;
  /** Resolves once the next CIBA request reaches the user's (simulated) device. */
  nextCibaRequest(): Promise<void>;
  /** What the user's authentication device was shown for each CIBA request, oldest first. */
  cibaRequests(): { authReqId: string; clientId: string; scope: string; bindingMessage?: string; accountId: string }[];
  /** The next `count` polls that would answer `authorization_pending` answer `slow_down` instead. */
  slowDown(count?: number): void;
}

export interface PendingVariant {
  provider: OidcProvider;
  /** The resource (audience) user tokens are issued for by default, when the variant has one. */
  defaultResource?: string;
}

/** Polls of grants that wait for a user (the token requests `slowDown` applies to). */
export const POLLING_GRANTS = new Set(['urn:ietf:params:oauth:grant-type:device_code', 'urn:openid:params:grant-type:ciba']);

export interface PendingHooks {
  takeSlowDown(): boolean;
  issued(userCode: string): void;
  /** features.ciba.triggerAuthenticationDevice: a CIBA request now waits for the user. */
  cibaTriggered(provider: OidcProvider, request: any): void;
}

export function createPendingControl(variants: () => PendingVariant[]): PendingControl & PendingHooks {
  let slowDowns = 0;
  let lastUserCode: string | undefined;
  const ciba: { provider: OidcProvider; request: any }[] = [];
  let userCodeWaiters: ((userCode: string) => void)[] = [];
  let cibaWaiters: (() => void)[] = [];
  return {
    cibaTriggered(provider, request) {
      ciba.push({ provider, request });
      const waiters = cibaWaiters;
      cibaWaiters = [];
      for (const w of waiters) w();
    },
    nextUserCode() {
      return new Promise<string>((resolve) => userCodeWaiters.push(resolve));
    },
    nextCibaRequest() {
      return new Promise<void>((resolve) => cibaWaiters.push(resolve));
    },
    cibaRequests() {
      return ciba.map(({ request }) => ({
        authReqId: request.jti,
        clientId: request.clientId,
        scope: request.scope,
        bindingMessage: request.params?.binding_message,
        accountId: request.accountId,
      }));
    },
    async ciba(decision = 'approve', authReqId) {
      const entry = authReqId ? ciba.find((c) => c.request.jti === authReqId) : ciba.at(-1);
      if (!entry) throw new Error('No CIBA request is pending');
      const { provider, request } = entry;
      const { errors } = await import('oidc-provider');
      if (decision === 'deny') {
        await provider.backchannelResult(request, new errors.AccessDenied('the user denied the request'));
        return;
      }
      const resource = variants().find((v) => v.provider === provider)?.defaultResource;
      const grant = new provider.Grant({ accountId: request.accountId, clientId: request.clientId });
      grant.addOIDCScope(request.scope);
      if (request.resource ?? resource) grant.addResourceScope(request.resource ?? resource, request.scope);
      await grant.save();
      await provider.backchannelResult(request, grant, { authTime: Math.floor(Date.now() / 1000) });
    },
    async device(userCode = lastUserCode, decision = 'approve') {
      if (!userCode) throw new Error('No device code was issued yet');
      for (const { provider, defaultResource } of variants()) {
        const code = await provider.DeviceCode.findByUserCode(userCode.toUpperCase().replace(/\W/g, ''));
        if (!code || code.accountId || code.error) continue;
        await decide(provider, code, decision, defaultResource);
        return;
      }
      throw new Error(`No pending device code with user code ${userCode}`);
    },
    slowDown(count = 1) {
      slowDowns += count;
    },
    issued(userCode) {
      lastUserCode = userCode;
      const waiters = userCodeWaiters;
      userCodeWaiters = [];
      for (const w of waiters) w(userCode);
    },
    takeSlowDown() {
      if (slowDowns <= 0) return false;
      slowDowns--;
      return true;
    },
  };
}

/** Records the user's decision on a device code or CIBA request, as its own approval page would. */
async function decide(provider: OidcProvider, request: any, decision: Decision, defaultResource?: string): Promise<void> {
  if (decision === 'deny') {
    request.error = 'access_denied';
    request.errorDescription = 'the user denied the request';
    await request.save();
    return;
  }
  const scope: string = request.params?.scope ?? request.scope ?? 'openid';
  const resource: string | undefined = request.params?.resource ?? defaultResource;
  const grant = new provider.Grant({ accountId: DEMO_USER.sub, clientId: request.clientId });
  grant.addOIDCScope(scope);
  if (resource) grant.addResourceScope(resource, scope);
  Object.assign(request, {
    accountId: DEMO_USER.sub,
    authTime: Math.floor(Date.now() / 1000),
    grantId: await grant.save(),
    scope,
    ...(resource ? { resource } : {}),
  });
  await request.save();
}
