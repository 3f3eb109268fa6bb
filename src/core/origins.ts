/**
 * Endpoint-origin pinning (issue #10, finding 6a). Discovery could point the token endpoint, and
 * with it the client secret, at any origin. PingOne and PingFederate serve every endpoint from the
 * issuer's own origin, so for them an endpoint elsewhere is refused. A generic OpenID Connect
 * provider may legitimately split hosts; its differing origins are reported (and the token
 * endpoint's origin is pinned to each secret on first use, see core/binding).
 */
import type { Endpoints } from './endpoints';
import type { Environment } from './environment';
import { ExplorerError } from './errors';

const LABELS: Array<[keyof Endpoints, string]> = [
  ['token', 'token endpoint'],
  ['authorization', 'authorization endpoint'],
  ['introspection', 'introspection endpoint'],
  ['revocation', 'revocation endpoint'],
  ['userinfo', 'userinfo endpoint'],
  ['jwks', 'JWKS URI'],
  ['endSession', 'end-session endpoint'],
];

export interface ForeignOrigin {
  endpoint: string;
  origin: string;
}

/** The endpoints that receive a client secret or a token. */
export const SECRET_ENDPOINTS: ReadonlyArray<keyof Endpoints> = ['token', 'introspection', 'revocation', 'userinfo'];

/** The endpoints (of `keys`, default all) whose origin differs from the issuer's, with their origins. */
export function foreignOrigins(endpoints: Endpoints, keys?: ReadonlyArray<keyof Endpoints>): ForeignOrigin[] {
  const issuerOrigin = new URL(endpoints.issuer).origin;
  const out: ForeignOrigin[] = [];
  for (const [key, label] of LABELS) {
    if (keys && !keys.includes(key)) continue;
    const value = endpoints[key];
    if (typeof value !== 'string') continue;
    const origin = new URL(value).origin;
    if (origin !== issuerOrigin) out.push({ endpoint: label, origin });
  }
  return out;
}

/** Returns the endpoints when their origins are acceptable for the environment's kind; throws `invalid_response` otherwise. */
export function pinEndpointOrigins(env: Environment, endpoints: Endpoints): Endpoints {
  if (env.kind !== 'pingone' && env.kind !== 'pingfederate') return endpoints;
  const foreign = foreignOrigins(endpoints);
  if (foreign.length) {
    const product = env.kind === 'pingone' ? 'PingOne' : 'PingFederate';
    const list = foreign.map((f) => `the ${f.endpoint} at ${f.origin}`).join(', ');
    throw new ExplorerError(
      'invalid_response',
      `Discovery for "${env.name}" names ${list}, not the issuer's origin ${new URL(endpoints.issuer).origin}. ${product} serves every endpoint from the issuer's host, so nothing was sent there: check the environment's URL.`,
    );
  }
  return endpoints;
}
