/**
 * The public API's implementation, required on the first call of a method that activation does
 * not answer itself (see createApi in api.ts). It ships in dist/features.js.
 */
import type { Application } from './core/application';
import type { PlanPreview } from './core/import';
import { applyPlan, planCurlImport, planPostmanImport, previewPlan } from './core/import';
import { browseTenant, importApplications, syncApplication } from './core/management';
import { freshAccessToken } from './integrations/tokenAccess';
import { consentSubject } from './core/consent';
import { type ApiDeps, type ApplicationInfo, type ImportResult, type LoadedMethod, type PingOneTokenExplorerApi, environmentInfo } from './api';

/** Every API method that activation does not answer itself (see createApi in api.ts). */
export function createApiImpl(deps: ApiDeps): Pick<PingOneTokenExplorerApi, LoadedMethod> {
  const { service } = deps;
  /** Asks (or refuses) before a grant or getTokens for this application: tokens would reach the caller. */
  const consent = (applicationId: string) => deps.tokenAccess.check(consentSubject(service, applicationId));
  const consentForSet = (tokenSetId: string) => consent(service.getTokenSetInfo(tokenSetId).applicationId);
  /** What the API shows of an application (stored, or as an import preview would create it): never a secret. */
  const applicationInfo = (a: Application, hasSecret: boolean): ApplicationInfo => ({
    id: a.id,
    environmentId: a.environmentId,
    name: a.name,
    clientId: a.clientId,
    authMethod: a.authMethod,
    grants: a.grants,
    scopes: a.scopes,
    redirectUri: a.redirectUri,
    hasSecret,
    keyId: a.keyId,
    signingAlg: a.signingAlg,
    assertionAudience: a.assertionAudience,
    pushedAuthorization: a.pushedAuthorization ?? 'auto',
    requestObject: a.requestObject ?? 'auto',
    dpop: a.dpop === true,
    ...(a.origin ? { origin: a.origin } : {}),
  });
  const appInfo = async (id: string): Promise<ApplicationInfo> => applicationInfo(service.getApplication(id), await service.hasClientSecret(id));
  const previewInfo = (p: PlanPreview): ImportResult => ({
    environments: p.environments.map(environmentInfo),
    applications: p.applications.map((a) => applicationInfo(a, a.hasSecret)),
    skipped: p.skipped,
  });
  const applyImport = async (plan: import('./core/import').ImportPlan): Promise<ImportResult> => {
    const done = await applyPlan(plan, service);
    return { environments: done.environments.map(environmentInfo), applications: await Promise.all(done.applications.map((a) => appInfo(a.id))), skipped: plan.skipped };
  };
  return {
    addEnvironment: async (input) => environmentInfo(await service.addEnvironment(input)),
    removeEnvironment: (id) => service.removeEnvironment(id),
    addApplication: async (environmentId, input) => appInfo((await service.addApplication(environmentId, input)).id),
    listApplications: (environmentId) => Promise.all(service.listApplications(environmentId).map((a) => appInfo(a.id))),
    removeApplication: (id) => service.removeApplication(id),
    updateApplication: async (id, patch) => {
      const { id: _id, environmentId: _env, keyId: _kid, ...current } = service.getApplication(id);
      // A new auth method brings its own signing algorithm (HS* for secrets, the key's for private keys).
      if (patch.authMethod !== undefined && patch.authMethod !== current.authMethod && patch.signingAlg === undefined) delete current.signingAlg;
      return appInfo((await service.updateApplication(id, { ...current, ...patch })).id);
    },
    getPublicJwks: (id) => service.publicJwks(id),
    rotateKey: (id, o = {}) => service.rotateKey(id, { signingAlg: o.signingAlg }),
    removeKey: (id, kid) => service.removeKey(id, kid),
    clientCredentials: async (id, o = {}) => (await consent(id), service.clientCredentials(id, { scope: o.scope })),
    signIn: async (id, o = {}) => (await consent(id), deps.signIn(id, o)),
    signInWithPassword: async (id, o) => (await consent(id), service.signInWithPassword(id, { username: o.username, password: o.password, scope: o.scope })),
    exchangeCode: async (id, o) => (await consent(id), service.exchangeCode(id, { code: o.code, redirectUri: o.redirectUri, codeVerifier: o.codeVerifier })),
    deviceAuthorization: async (id, o = {}) => (await consent(id), deps.deviceAuthorization(id, { scope: o.scope, onUserCode: o.onUserCode })),
    passwordGrant: async (id, o) => (await consent(id), service.passwordGrant(id, { username: o.username, password: o.password, scope: o.scope })),
    tokenExchange: async (id, o) => (
      await consent(id),
      service.tokenExchange(id, {
        subjectTokenSetId: o.subjectTokenSetId,
        subjectToken: o.subjectToken,
        actorTokenSetId: o.actorTokenSetId,
        audience: o.audience,
        resource: o.resource,
        scope: o.scope,
        requestedTokenType: o.requestedTokenType,
      })
    ),
    backchannelAuthentication: async (id, o) => (
      await consent(id),
      service.backchannelAuthentication(id, {
        loginHint: o.loginHint,
        idTokenHintTokenSetId: o.idTokenHintTokenSetId,
        loginHintToken: o.loginHintToken,
        bindingMessage: o.bindingMessage,
        scope: o.scope,
      })
    ),
    refresh: async (id, o = {}) => (await consentForSet(id), service.refresh(id, { scope: o.scope })),
    revoke: (id) => service.revoke(id),
    introspect: (id, o = {}) => service.introspect(id, { token: o.token }),
    userinfo: (id) => service.userinfo(id),
    deleteTokenSet: (id) => service.deleteTokenSet(id),
    getTokens: async (id) => {
      await consentForSet(id);
      const t = await service.getTokenSet(id);
      return {
        accessToken: t.accessToken,
        refreshToken: t.refreshToken,
        idToken: t.idToken,
        tokenType: t.tokenType,
        scope: t.scope,
        expiresAt: t.expiresAt,
      };
    },
    dpopProof: (id, request) => service.dpopProof(id, request),
    inspect: (x) => deps.inspect(x),
    previewPostmanEnvironment: async (json) => previewInfo(await previewPlan(planPostmanImport(json), service)),
    importPostmanEnvironment: async (json) => applyImport(planPostmanImport(json)),
    importCurl: async (command) => {
      const { plan, grant, warnings } = planCurlImport(command);
      const done = await applyImport(plan);
      return { environment: done.environments[0], application: done.applications[0], grant, warnings };
    },
    browseTenant: (workerId) => browseTenant(service, workerId),
    importApplications: async (workerId, request) => {
      const done = await importApplications(service, workerId, request);
      return Promise.all(done.map(async (d) => ({ ...(await appInfo(d.application.id)), ...(d.secretProblem ? { secretProblem: d.secretProblem } : {}) })));
    },
    syncApplication: (id) => syncApplication(service, id, { apply: true }),
    getAccessToken: async (request = {}) => {
      // The same consent as getTokens: this hands a token to another extension.
      if (request.tokenSetId) await consentForSet(request.tokenSetId);
      else if (request.applicationId) await consent(request.applicationId);
      const token = await freshAccessToken(service, request);
      if (!request.tokenSetId && !request.applicationId) await consentForSet(token.tokenSetId);
      return token;
    },
    pin: (id) => deps.pinned.pin(id),
  };
}
