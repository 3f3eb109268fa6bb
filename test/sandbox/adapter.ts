// Per-provider in-memory storage adapter for oidc-provider (its built-in one is process-global,
// capped at 1000 entries and prints a "development-only" warning).
//
// One addition: oidc-provider looks tokens up by the value the client presents, but JWT access
// tokens are kept (see rememberJwtAccessTokens in provider.ts) under their `jti`. `resolveJwt` maps a
// presented JWT, after verifying its signature, to that jti, so introspection, revocation and the
// userinfo endpoint work for JWT access tokens as they do at PingOne.

type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string };

/** Models whose records belong to a grant and are removed when the grant is revoked. */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

export function createMemoryAdapter(resolveJwt: (value: string) => string | undefined) {
  const records = new Map<string, { payload: Payload; expiresAt: number }>();
  const index = new Map<string, string>(); // 'sessionUid:…' / 'userCode:…' → record id
  const grants = new Map<string, Set<string>>(); // grantId → record keys

  function live(key: string): Payload | undefined {
    const entry = records.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      records.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  return class MemoryAdapter {
    constructor(private readonly model: string) {}

    private key(id: string): string {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: Payload, expiresIn: number): Promise<void> {
      const key = this.key(id);
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
      if (this.model === 'Session' && payload.uid) index.set(`sessionUid:${payload.uid}`, id);
      if (payload.userCode) index.set(`userCode:${payload.userCode}`, id);
      if (GRANTABLE.has(this.model) && payload.grantId) {
        const keys = grants.get(payload.grantId) ?? new Set<string>();
        keys.add(key);
        grants.set(payload.grantId, keys);
      }
      records.set(key, { payload, expiresAt });
    }

    async find(id: string): Promise<Payload | undefined> {
      const found = live(this.key(id));
      if (found || (this.model !== 'AccessToken' && this.model !== 'ClientCredentials')) return found;
      const jti = resolveJwt(id);
      return jti ? live(this.key(jti)) : undefined;
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      const id = index.get(`sessionUid:${uid}`);
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      const id = index.get(`userCode:${userCode}`);
      return id ? this.find(id) : undefined;
    }

    async consume(id: string): Promise<void> {
      const found = live(this.key(id));
      if (found) found.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      records.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) records.delete(key);
      grants.delete(grantId);
    }
  };
}
