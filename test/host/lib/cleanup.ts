// Cleanup that runs however a launcher ends: normally, on an error, or on SIGINT/SIGTERM/SIGHUP.
type Cleanup = () => Promise<void> | void;

const cleanups: Cleanup[] = [];
let running: Promise<void> | undefined;
let installed = false;

/** Registers a cleanup step; steps run in reverse order of registration. Returns an unregister. */
export function onCleanup(fn: Cleanup): () => void {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Runs (once) every registered step, newest first; a failing step does not stop the others. */
export function runCleanups(): Promise<void> {
  running ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop() as Cleanup;
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup step failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  })();
  return running;
}

/**
 * On SIGINT/SIGTERM/SIGHUP: run the cleanups, then exit with 128+signal. A second signal while
 * cleaning up exits at once.
 */
export function exitOnSignals(label: string): void {
  if (installed) return;
  installed = true;
  const codes: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
  for (const signal of Object.keys(codes) as NodeJS.Signals[]) {
    process.on(signal, () => {
      if (running) {
        console.error(`${label}: ${signal} again, exiting without finishing cleanup`);
        process.exit(codes[signal]);
      }
      console.error(`${label}: ${signal}, stopping…`);
      void runCleanups().finally(() => process.exit(codes[signal]));
    });
  }
}
