// Installs code-server (the integration/e2e test host) if it is missing, and prints where it is.
// CI can run this as its own (cacheable) step:  node out/test/host/install-code-server.js
//   PTE_HOST_CACHE  install root (default <repo>/.vscode-test)
import { ensureCodeServer, HostSetupError } from './lib/codeServer';

ensureCodeServer().then(
  (install) => {
    console.log(`code-server ${install.version}: ${install.entry}`);
  },
  (err) => {
    console.error(err instanceof HostSetupError ? err.message : err);
    process.exit(1);
  },
);
