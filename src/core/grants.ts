/**
 * The network half of the core: endpoint discovery, the OAuth grants, sign-in and ID token
 * verification. TokenService loads it on first use (see `grants()` in service.ts); in the
 * extension it ships in dist/features.js, so activation does not parse it.
 */
export { buildAuthorizationRequest, createAuthorizationRequest, planAuthorization, validateAuthorizationResponse } from './authorize';
export { resolveEndpoints } from './endpoints';
export { flowsSignIn } from './flows';
export { FileLock } from './lock';
export { LoopbackListener } from './loopback';
export { authorizationCodeGrant, clientCredentialsGrant, fetchUserinfo, introspectToken, refreshTokenGrant, revokeToken } from './oauth';
export { JwksCache, checkRefreshedIdToken, validateIdToken } from './verify';
export { addToRing, generatePrivateKey, parseKeyRing, parsePrivateKey, publicJwks, removeFromRing } from './clientKeys';
export { createDpopProof, generateDpopKey } from './dpop';
