// How every launcher ends: run its cleanups, then exit with main's code; on an error, print it
// (a set-up error as its plain message) and exit 1.
import { runCleanups } from './cleanup';
import { HostSetupError } from './codeServer';

export function runLauncher(label: string, main: () => Promise<number>): void {
  main().then(
    async (code) => {
      await runCleanups();
      process.exit(code);
    },
    async (err) => {
      console.error(err instanceof HostSetupError ? `${label}: ${err.message}` : err);
      await runCleanups();
      process.exit(1);
    },
  );
}
