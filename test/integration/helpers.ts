/** Shared set-up for integration tests: the activated API and a sandbox on loopback. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import fetch from 'node-fetch';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { ApplicationInput } from '../../src/core/application';
import type { EnvironmentInput } from '../../src/core/environment';
import { type Sandbox, startSandbox } from '../sandbox';

export const EXTENSION_ID = 'pingone-tools.pingone-token-explorer';

export async function activateApi(): Promise<PingOneTokenExplorerApi> {
  const ext = vscode.extensions.getExtension<PingOneTokenExplorerApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext.activate();
}

let shared: Promise<Sandbox> | undefined;
/** One sandbox per extension-host run; closed when the host exits. */
export function sandbox(): Promise<Sandbox> {
  shared ??= startSandbox();
  return shared;
}

/** The sandbox's PingOne-shaped environment, as a user would add it. */
export function sandboxEnvironment(s: Sandbox, name = 'Sandbox'): EnvironmentInput {
  return { name, kind: 'pingone', environmentId: s.envId, authBaseUrl: s.pingone.authBase };
}

/** The sandbox's worker app (client credentials, client_secret_basic). */
export function workerApplication(s: Sandbox, name = 'Worker'): ApplicationInput {
  return { name, clientId: s.clients.worker.clientId, clientSecret: s.clients.worker.clientSecret, authMethod: 'client_secret_basic' };
}

/** The sandbox's web app (sign-in with code + PKCE, rotating refresh tokens, client_secret_basic). */
export function webApplication(s: Sandbox, name = 'Web'): ApplicationInput {
  return {
    name,
    clientId: s.clients.web.clientId,
    clientSecret: s.clients.web.clientSecret,
    authMethod: 'client_secret_basic',
    scopes: 'openid profile email',
  };
}

/**
 * The hooks most suites share: the activated API and the run's sandbox before the suite, an empty
 * store before each test and after the suite. `assign` hands both to the suite's variables.
 */
export function useApiAndSandbox(assign: (api: PingOneTokenExplorerApi, s: Sandbox) => void): void {
  let api: PingOneTokenExplorerApi;
  before(async () => {
    api = await activateApi();
    assign(api, await sandbox());
  });
  beforeEach(() => reset(api));
  after(() => reset(api));
}

/** Removes everything the API knows, so each test starts from an empty store. */
export async function reset(api: PingOneTokenExplorerApi): Promise<void> {
  for (const env of api.listEnvironments()) await api.removeEnvironment(env.id);
}

/** Plays the browser for sign-in: the sandbox signs the demo user in, we follow the redirect. */
export function browserFor(s: Sandbox, tamper?: (location: URL) => void) {
  return async (url: string) => {
    const location = new URL(await s.authorize(url));
    tamper?.(location);
    void fetch(location.toString())
      .then((r) => r.text())
      .catch(() => undefined);
  };
}

export async function rejectsWith(p: PromiseLike<unknown>, code: string, message?: RegExp): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { code: string };
    assert.equal(e.code, code, `expected code ${code}, got ${e.code}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected a rejection with code ${code}`);
}
