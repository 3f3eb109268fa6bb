/**
 * The network half of the core: endpoint discovery, the OAuth grants, sign-in and ID token
 * verification. TokenService loads it on first use (see `grants()` in service.ts); in the
 * extension it ships in dist/features.js, so activation does not parse it.
 */
export { buildAuthorizationRequest, validateAuthorizationResponse } from './authorize';
export { resolveEndpoints } from './endpoints';
export { flowsSignIn } from './flows';
export { LoopbackListener } from './loopback';
export { authorizationCodeGrant, clientCredentialsGrant, fetchUserinfo, introspectToken, refreshTokenGrant, revokeToken } from './oauth';
export { pollCibaToken, requestBackchannelAuthentication } from './grants/ciba';
export { pollDeviceToken, requestDeviceAuthorization } from './grants/deviceCode';
export { PINGONE_PASSWORD_EXPLANATION, passwordGrant } from './grants/password';
export { systemClock } from './grants/polling';
export { TOKEN_TYPES, tokenExchangeGrant } from './grants/tokenExchange';
export { JwksCache, checkRefreshedIdToken, validateIdToken } from './verify';
