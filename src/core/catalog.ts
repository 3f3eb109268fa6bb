/**
 * TokenService's writes of environments and applications: adding, editing and removing them, their
 * client secrets and private keys, and applications saved by an import. It ships in
 * dist/features.js and is loaded on the first such write (see `catalog` in service.ts): drawing
 * the tree and reading stored tokens never needs it.
 */
import { type Application, type ApplicationInput, usesSecret, validateApplication } from './application';
import { decodeClientSecret, encodeClientSecret } from './binding';
import { type KeyRing, activeKey, addToRing, generatePrivateKey, parseKeyRing, parsePrivateKey, publicJwks as publicJwksOf, removeFromRing } from './clientKeys';
import { type Environment, type EnvironmentInput, validateEnvironment } from './environment';
import { invalidInput } from './errors';
import { KEYS, type ServiceCore, type TokenService, type TokenSetMeta } from './service';

export class Catalog {
  constructor(
    private readonly service: TokenService,
    private readonly core: ServiceCore,
  ) {}

  async addEnvironment(input: EnvironmentInput): Promise<Environment> {
    const env = validateEnvironment(input, this.core.newId());
    await this.core.updateList<Environment>(KEYS.environments, (l) => [...l, env]);
    this.core.changed();
    return env;
  }

  /**
   * Updates an environment. A new issuer drops its applications' client secrets and token sets:
   * they were issued for the old one and are never sent to another server (callers ask first).
   */
  async updateEnvironment(id: string, input: EnvironmentInput): Promise<Environment> {
    const previous = this.service.getEnvironment(id);
    const env = validateEnvironment(input, id);
    if (env.issuer !== previous.issuer) for (const app of this.service.listApplications(id)) await this.dropSecrets(app.id);
    await this.core.updateList<Environment>(KEYS.environments, (l) => l.map((e) => (e.id === id ? env : e)));
    this.core.endpointCache.delete(id);
    this.core.resolvedEndpoints.delete(id);
    this.core.changed();
    return env;
  }

  async removeEnvironment(id: string): Promise<void> {
    this.service.getEnvironment(id);
    for (const app of this.service.listApplications(id)) await this.removeApplicationData(app.id);
    await this.core.updateList<Environment>(KEYS.environments, (l) => l.filter((e) => e.id !== id));
    this.core.endpointCache.delete(id);
    this.core.resolvedEndpoints.delete(id);
    this.core.changed();
  }

  async addApplication(environmentId: string, input: ApplicationInput): Promise<Application> {
    const { issuer } = this.service.getEnvironment(environmentId);
    let app = validateApplication(input, { id: this.core.newId(), environmentId }, { hasStoredSecret: false });
    // The key is read (or generated) before anything is stored: a malformed key stores nothing.
    const ring = app.authMethod === 'private_key_jwt' ? await this.newKeyRing(undefined, input.privateKey, app.signingAlg) : undefined;
    if (ring) app = this.withActiveKey(app, ring);
    if (ring) await this.core.deps.secrets.store(KEYS.clientKey(app.id), JSON.stringify(ring));
    if (usesSecret(app.authMethod) && input.clientSecret)
      await this.core.deps.secrets.store(KEYS.clientSecret(app.id), encodeClientSecret(input.clientSecret, { issuer }));
    await this.core.updateList<Application>(KEYS.applications, (l) => [...l, app]);
    this.core.changed();
    return app;
  }

  /** Updates an application; a secret or key left out keeps the stored one; a new key is added to the ring. */
  async updateApplication(id: string, input: ApplicationInput): Promise<Application> {
    const existing = this.service.getApplication(id);
    const hasStoredSecret = (await this.core.deps.secrets.get(KEYS.clientSecret(id))) !== undefined;
    let app = validateApplication(input, { id, environmentId: existing.environmentId }, { hasStoredSecret, keyId: existing.keyId });
    let ring = await this.keyRing(id);
    const activeAlg = ring && activeKey(ring)?.alg;
    const otherAlg = app.authMethod === 'private_key_jwt' && !input.privateKey && activeAlg && app.signingAlg && app.signingAlg !== activeAlg;
    if (otherAlg && existing.authMethod !== 'private_key_jwt') {
      // Back to private_key_jwt, asking for another algorithm than the key it had: a new key (the old one stays in the JWKS).
      ring = await this.newKeyRing(ring, undefined, app.signingAlg);
    } else if (otherAlg) {
      // Silently keeping the key's algorithm would not be what was asked; a new key is a rotation.
      throw invalidInput(
        'signingAlg',
        `"${existing.name}" signs with its key, which is ${activeAlg}: to sign with ${app.signingAlg}, rotate to a new key (Rotate Signing Key, or api.rotateKey(id, { signingAlg: '${app.signingAlg}' })) and register the new public JWKS.`,
      );
    }
    if (app.authMethod === 'private_key_jwt' && (input.privateKey || !ring)) ring = await this.newKeyRing(ring, input.privateKey, app.signingAlg);
    if (app.authMethod === 'private_key_jwt' && ring) app = this.withActiveKey(app, ring);
    if (ring && app.authMethod === 'private_key_jwt') await this.core.deps.secrets.store(KEYS.clientKey(id), JSON.stringify(ring));
    if (app.authMethod === 'none') await this.core.deps.secrets.delete(KEYS.clientSecret(id));
    else if (input.clientSecret) {
      const { issuer } = this.service.getEnvironment(existing.environmentId);
      await this.core.deps.secrets.store(KEYS.clientSecret(id), encodeClientSecret(input.clientSecret, { issuer }));
    }
    await this.core.updateList<Application>(KEYS.applications, (l) => l.map((a) => (a.id === id ? app : a)));
    this.core.changed();
    return app;
  }

  // ---- private keys (private_key_jwt) --------------------------------------------------------------

  private async keyRing(appId: string): Promise<KeyRing | undefined> {
    return parseKeyRing(await this.core.deps.secrets.get(KEYS.clientKey(appId)));
  }

  private async newKeyRing(ring: KeyRing | undefined, pasted: string | undefined, alg: string | undefined): Promise<KeyRing> {
    const key = pasted ? await parsePrivateKey(pasted, alg, this.core.now()) : await generatePrivateKey(alg, this.core.now());
    return addToRing(ring, key);
  }

  private withActiveKey(app: Application, ring: KeyRing): Application {
    const key = activeKey(ring);
    return key ? { ...app, keyId: key.kid, signingAlg: key.alg } : app;
  }

  /** The public JWKS to register for the application in the tenant (every key of its ring). */
  async publicJwks(applicationId: string): Promise<{ keys: Array<Record<string, unknown>> }> {
    const app = this.service.getApplication(applicationId);
    if (app.authMethod !== 'private_key_jwt') throw invalidInput('authMethod', `"${app.name}" does not use private_key_jwt, so it has no key pair.`);
    return publicJwksOf(await this.keyRing(applicationId)) as { keys: Array<Record<string, unknown>> };
  }

  /** Generates a new signing key; the old public keys stay in the JWKS until removed. Returns the new public JWK. */
  async rotateKey(applicationId: string, opts: { signingAlg?: string } = {}): Promise<Record<string, unknown>> {
    const app = this.service.getApplication(applicationId);
    if (app.authMethod !== 'private_key_jwt') throw invalidInput('authMethod', `"${app.name}" does not use private_key_jwt, so it has no key to rotate.`);
    const ring = await this.newKeyRing(await this.keyRing(applicationId), undefined, opts.signingAlg ?? app.signingAlg);
    await this.core.deps.secrets.store(KEYS.clientKey(applicationId), JSON.stringify(ring));
    await this.core.updateList<Application>(KEYS.applications, (l) => l.map((a) => (a.id === applicationId ? this.withActiveKey(a, ring) : a)));
    this.core.changed();
    return publicJwksOf(ring).keys.find((k) => k.kid === ring.active) as Record<string, unknown>;
  }

  /** Removes a rotated-out key from the ring (and so from the public JWKS). */
  async removeKey(applicationId: string, kid: string): Promise<void> {
    const ring = await this.keyRing(applicationId);
    if (!ring) throw invalidInput('kid', 'The application has no keys.');
    await this.core.deps.secrets.store(KEYS.clientKey(applicationId), JSON.stringify(removeFromRing(ring, kid)));
    this.core.changed();
  }

  /** Stores a secret for an application (workspace entries: each person enters theirs once). */
  async setClientSecret(applicationId: string, secret: string): Promise<void> {
    const app = this.service.getApplication(applicationId);
    if (app.authMethod === 'none') throw invalidInput('clientSecret', `"${app.name}" is a public client (auth method none): it has no secret.`);
    if (!secret) throw invalidInput('clientSecret', 'The client secret is empty.');
    await this.core.deps.secrets.store(KEYS.clientSecret(applicationId), encodeClientSecret(secret, { issuer: this.service.getEnvironment(app.environmentId).issuer }));
    this.core.changed();
  }

  // ---- imported applications (tenant imports; the secret may come later) ------------------------

  /**
   * Adds an imported application, or updates the one `existingId` names, without requiring a
   * secret: a tenant import may not be allowed to read it, and the user pastes it later (Edit
   * Application). A secret given is stored when it differs; one left out keeps what is stored.
   */
  async saveImportedApplication(environmentId: string, input: ApplicationInput, existingId?: string): Promise<Application> {
    this.service.getEnvironment(environmentId);
    if (existingId !== undefined && this.service.getApplication(existingId).environmentId !== environmentId) {
      throw invalidInput('environmentId', 'An imported application stays in its environment.');
    }
    let app = validateApplication(input, { id: existingId ?? this.core.newId(), environmentId }, { hasStoredSecret: true });
    if (app.authMethod === 'private_key_jwt') {
      // A tenant never hands out private keys: keep the one this application has, or make one to register.
      let ring = await this.keyRing(app.id);
      if (!ring) {
        ring = await this.newKeyRing(undefined, undefined, undefined);
        await this.core.deps.secrets.store(KEYS.clientKey(app.id), JSON.stringify(ring));
      }
      app = this.withActiveKey(app, ring);
    }
    if (!usesSecret(app.authMethod)) await this.core.deps.secrets.delete(KEYS.clientSecret(app.id));
    else if (input.clientSecret && !(await this.clientSecretMatches(app.id, input.clientSecret))) {
      await this.core.deps.secrets.store(
        KEYS.clientSecret(app.id),
        encodeClientSecret(input.clientSecret, { issuer: this.service.getEnvironment(environmentId).issuer }),
      );
    }
    await this.core.updateList<Application>(KEYS.applications, (l) => (existingId !== undefined ? l.map((a) => (a.id === existingId ? app : a)) : [...l, app]));
    this.core.changed();
    return app;
  }

  /** Whether the stored secret equals `secret` (for sync), without handing the stored one out. */
  async clientSecretMatches(applicationId: string, secret: string): Promise<boolean> {
    const raw = await this.core.deps.secrets.get(KEYS.clientSecret(applicationId));
    return raw !== undefined && decodeClientSecret(raw).secret === secret;
  }

  async removeApplication(id: string): Promise<void> {
    this.service.getApplication(id);
    await this.removeApplicationData(id);
    this.core.changed();
  }

  private async removeApplicationData(appId: string): Promise<void> {
    await this.dropSecrets(appId);
    // The private key stays through an issuer change (its assertions name their audience, so they
    // cannot be replayed elsewhere); it goes with the application.
    await this.core.deps.secrets.delete(KEYS.clientKey(appId));
    await this.core.updateList<Application>(KEYS.applications, (l) => l.filter((a) => a.id !== appId));
  }

  /** Deletes an application's token sets and client secret; the application itself stays. */
  private async dropSecrets(appId: string): Promise<void> {
    for (const t of this.core.readIndex().filter((t) => t.applicationId === appId)) {
      await this.core.deps.secrets.delete(KEYS.tokenSet(t.id));
    }
    await this.core.updateList<TokenSetMeta>(KEYS.tokenIndex, (l) => l.filter((t) => t.applicationId !== appId));
    await this.core.deps.secrets.delete(KEYS.clientSecret(appId));
  }
}
