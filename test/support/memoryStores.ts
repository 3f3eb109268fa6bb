/**
 * In-memory stand-ins for globalState and SecretStorage, for unit tests of the token service on
 * plain Node. The real stores are exercised by the integration suite inside VS Code. Values are
 * copied through JSON, as VS Code's stores do, so no test can rely on shared object identity.
 */
import type { SecretStore, StateStore } from '../../src/core/service';

export class MemoryState implements StateStore {
  readonly data = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const v = this.data.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.stringify(value));
  }
}

export class MemorySecrets implements SecretStore {
  readonly data = new Map<string, string>();
  writes = 0;
  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.writes++;
    this.data.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
  /** Everything stored, for "nothing changed" assertions. */
  snapshot(): Record<string, string> {
    return Object.fromEntries([...this.data.entries()].sort());
  }
}
