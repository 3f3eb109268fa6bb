// Runs the same integration suite in desktop VS Code through @vscode/test-electron. It downloads
// VS Code from update.code.visualstudio.com, so it only works on machines with internet (and a
// display, e.g. `xvfb-run -a npm run test:electron` on headless Linux); CI here uses
// out/test/host/integration.js (code-server) instead.
//
//   PTE_VSCODE_VERSION  VS Code to download (default 1.100.3, the engine's minimum; or "stable")
//   PTE_TEST_GREP, PTE_*  passed to the extension host as in integration.js
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { cacheRoot } from './lib/codeServer';
import { ensureDir, makeRunDir, repoRoot } from './lib/paths';
import { readResults, reportResults, pteEnv } from './lib/results';

const LABEL = 'integration';

async function main(): Promise<number> {
  const repo = repoRoot();
  const testsModule = path.join(repo, 'out', 'test', 'integration', 'index.js');
  if (!fs.existsSync(testsModule) || !fs.existsSync(path.join(repo, 'dist', 'extension.js'))) {
    console.error(`${LABEL}: build first: node esbuild.js && node esbuild.js --tests`);
    return 1;
  }
  const runDir = makeRunDir('electron');
  const resultsFile = path.join(ensureDir(runDir, 'logs'), 'results.json');
  console.log(`[${LABEL}] desktop VS Code via @vscode/test-electron; run folder ${runDir}`);

  let runError: unknown;
  try {
    await runTests({
      version: process.env.PTE_VSCODE_VERSION ?? '1.100.3',
      cachePath: cacheRoot(), // <repo>/.vscode-test (or $PTE_HOST_CACHE), whatever the cwd
      extensionDevelopmentPath: repo,
      extensionTestsPath: testsModule,
      extensionTestsEnv: { ...pteEnv(), PTE_TEST_RESULTS: resultsFile },
      launchArgs: [
        ensureDir(runDir, 'workspace'),
        '--user-data-dir',
        ensureDir(runDir, 'user-data'),
        '--extensions-dir',
        ensureDir(runDir, 'extensions'),
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
      ],
    });
  } catch (err) {
    // runTests rejects when VS Code exits non-zero, which it does when tests failed: the results
    // file says more. Without one, this error is all there is.
    runError = err;
  }

  if (!fs.existsSync(resultsFile)) {
    console.error(
      `${LABEL}: no results (${resultsFile}): ${runError instanceof Error ? runError.message : String(runError ?? 'VS Code exited without running the tests')}`,
    );
    console.log(`${LABEL}: 0 passed, 1 failed (no results)`);
    return 1;
  }
  const results = readResults(resultsFile);
  if (results.stats.failures === 0 && process.env.PTE_KEEP_TMP !== '1') {
    for (const d of ['user-data', 'extensions', 'workspace']) fs.rmSync(path.join(runDir, d), { recursive: true, force: true });
  }
  console.log(`[${LABEL}] logs in ${path.join(runDir, 'logs')}`);
  return reportResults(LABEL, results).exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
