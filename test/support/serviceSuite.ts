/**
 * The hooks most token-service suites share: one sandbox for the suite and, before each test, empty
 * in-memory stores with a token service over them (on an injected clock if asked) and the sandbox's
 * counters at zero. `assign` hands them to the suite's variables.
 */
import fetch from 'node-fetch';
import { TokenService } from '../../src/core/service';
import { type Sandbox, type SandboxOptions, startSandbox } from '../sandbox';
import { FakeClock } from './fakeClock';
import { MemorySecrets, MemoryState } from './memoryStores';

export interface ServiceSuite {
  sandbox: Sandbox;
  state: MemoryState;
  secrets: MemorySecrets;
  service: TokenService;
  /** The service's clock and sleep when the suite asked for `{ clock: true }` (polling grants). */
  clock: FakeClock;
}

export function useSandboxAndService(assign: (parts: ServiceSuite) => void, sandboxOptions: SandboxOptions = {}, opts: { clock?: boolean } = {}): void {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox(sandboxOptions);
  });
  after(() => sandbox.close());
  beforeEach(() => {
    const state = new MemoryState();
    const secrets = new MemorySecrets();
    const clock = new FakeClock();
    const timing = opts.clock ? { now: clock.now, sleep: clock.sleep } : {};
    sandbox.resetStats();
    assign({ sandbox, state, secrets, clock, service: new TokenService({ state, secrets, http: () => ({ timeoutMs: 5000 }), ...timing }) });
  });
}

/**
 * Plays the browser for a sign-in: lets the sandbox sign the demo user in (or deny), then follows the
 * redirect to the extension's listener, optionally tampered with first.
 */
export function sandboxBrowser(sandbox: Sandbox, opts: { deny?: boolean; tamper?: (location: URL) => void } = {}): (url: string) => Promise<void> {
  return async (url: string) => {
    const location = new URL(await sandbox.authorize(url, { deny: opts.deny }));
    opts.tamper?.(location);
    // Not awaited by the sign-in: the listener answers once the service has validated and exchanged.
    void fetch(location.toString())
      .then((r) => r.text())
      .catch(() => undefined);
  };
}
