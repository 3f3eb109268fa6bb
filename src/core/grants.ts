/**
 * The network half of the core: endpoint discovery, the OAuth grants, sign-in and ID token
 * verification, the service's calls over them (TokenCalls) and its writes of environments and
 * applications (Catalog). TokenService loads it on first use (see `grants()` in service.ts); in
 * the extension it ships in dist/features.js, so activation does not parse it.
 */
export { buildAuthorizationRequest, createAuthorizationRequest, planAuthorization, validateAuthorizationResponse } from './authorize';
export { flowsSignIn } from './flows';
export { FileLock } from './lock';
export { LoopbackListener } from './loopback';
export { authorizationCodeGrant, clientCredentialsGrant, fetchUserinfo, introspectToken, refreshTokenGrant, revokeToken } from './oauth';
export { pollCibaToken, requestBackchannelAuthentication } from './grants/ciba';
export { pollDeviceToken, requestDeviceAuthorization } from './grants/deviceCode';
export { PINGONE_PASSWORD_EXPLANATION, passwordGrant } from './grants/password';
export { systemClock } from './grants/polling';
export { TOKEN_TYPES, tokenExchangeGrant } from './grants/tokenExchange';
export { JwksCache, checkRefreshedIdToken, validateIdToken } from './verify';
export { activeKey, addToRing, generatePrivateKey, parseKeyRing, parsePrivateKey, publicJwks, removeFromRing } from './clientKeys';
export { createDpopProof, generateDpopKey } from './dpop';
export { TokenCalls } from './tokenCalls';
export { Catalog } from './catalog';

import type { Endpoints } from './endpoints';
import { resolveEndpoints as resolve } from './endpoints';
import type { Environment } from './environment';
import type { HttpSettings } from './http';
import { pinEndpointOrigins } from './origins';

/** Discovery (or the known fallback paths), with endpoint origins pinned for PingOne and PingFederate (core/origins). */
export async function resolveEndpoints(env: Environment, http: HttpSettings): Promise<Endpoints> {
  return pinEndpointOrigins(env, await resolve(env, http));
}
