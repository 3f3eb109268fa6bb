/**
 * File-backed stand-ins for globalState and SecretStorage that several processes share, the way
 * every desktop VS Code window shares one global state and one OS keychain. One file per key,
 * replaced atomically (write under a unique name, then rename), and every read goes to the file:
 * a process sees another's writes at once, and two processes writing different keys never lose one
 * another's values.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SecretStore, StateStore } from '../../src/core/service';

class KeyFiles {
  constructor(private readonly folder: string) {
    fs.mkdirSync(folder, { recursive: true });
  }

  private file(key: string): string {
    return path.join(this.folder, encodeURIComponent(key));
  }

  read(key: string): string | undefined {
    try {
      return fs.readFileSync(this.file(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  write(key: string, value: string): void {
    const temp = `${this.file(key)}.${process.pid}.${globalThis.crypto.randomUUID()}.tmp`;
    fs.writeFileSync(temp, value);
    fs.renameSync(temp, this.file(key));
  }

  delete(key: string): void {
    fs.rmSync(this.file(key), { force: true });
  }
}

export class FileState implements StateStore {
  private readonly files: KeyFiles;
  constructor(folder: string) {
    this.files = new KeyFiles(folder);
  }
  get<T>(key: string): T | undefined {
    const v = this.files.read(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.files.delete(key);
    else this.files.write(key, JSON.stringify(value));
  }
}

export class FileSecrets implements SecretStore {
  private readonly files: KeyFiles;
  constructor(folder: string) {
    this.files = new KeyFiles(folder);
  }
  async get(key: string): Promise<string | undefined> {
    return this.files.read(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.files.write(key, value);
  }
  async delete(key: string): Promise<void> {
    this.files.delete(key);
  }
}
