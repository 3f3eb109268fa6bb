// The integration suite's runner: the extension host (code-server or desktop VS Code) loads this
// module from `extensionTestsPath` and awaits its exported run().
//
//   PTE_TEST_RESULTS  where to write mocha's JSON results (the code-server launcher reads them; the
//                     browser cannot carry results back). Written atomically: <path>.partial, then
//                     renamed. Progress lines go to <path>.progress as tests finish. Absent: the
//                     spec reporter prints to the extension host's console (desktop runner).
//   PTE_TEST_GREP     only run tests whose full title matches (mocha --grep syntax).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Every *.test.js under dir, sorted so runs are repeatable. */
function testFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith('.test.js'))
    .sort();
}

/** A mocha-JSON-shaped result holding one failure, for errors that happen before mocha runs. */
function failureResult(title: string, err: unknown) {
  const e = err instanceof Error ? err : new Error(String(err));
  const now = new Date().toISOString();
  const failure = {
    title,
    fullTitle: title,
    file: '',
    duration: 0,
    currentRetry: 0,
    err: { message: e.message, stack: e.stack ?? e.message },
  };
  return {
    stats: { suites: 0, tests: 1, passes: 0, pending: 0, failures: 1, start: now, end: now, duration: 0 },
    tests: [failure],
    pending: [],
    failures: [failure],
    passes: [],
  };
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.partial`, text);
  fs.renameSync(`${file}.partial`, file);
}

export function run(): Promise<void> {
  const resultsFile = process.env.PTE_TEST_RESULTS || undefined;
  const progressFile = resultsFile ? `${resultsFile}.progress` : undefined;
  const progress = (line: string) => {
    console.log(`[integration] ${line}`);
    if (progressFile) fs.appendFileSync(progressFile, `${line}\n`);
  };

  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 20_000,
    color: false,
    reporter: resultsFile ? 'json' : 'spec',
    reporterOptions: resultsFile ? { output: `${resultsFile}.partial` } : undefined,
  });
  if (process.env.PTE_TEST_GREP) mocha.grep(process.env.PTE_TEST_GREP);

  return new Promise<void>((resolve, reject) => {
    let files: string[] = [];
    try {
      files = testFiles(__dirname);
      progress(`runner started in the extension host (pid ${process.pid}), ${files.length} test file(s)`);
      files.forEach((f) => mocha.addFile(f));
      // Load now (not inside run()) so a test file that throws at load time becomes a reported
      // failure naming the file, not a missing results file.
      // (Both are public in mocha's JS API; @types/mocha marks loadFiles protected and lacks
      // lazyLoadFiles. lazyLoadFiles(true) stops run() from loading the files a second time.)
      const loader = mocha as unknown as { loadFiles(): void; lazyLoadFiles(enable: boolean): void };
      loader.loadFiles();
      loader.lazyLoadFiles(true);
    } catch (err) {
      const stack = err instanceof Error ? (err.stack ?? '') : '';
      const culprit = files.find((f) => stack.includes(f));
      const title = `loading ${culprit ? path.relative(__dirname, culprit) : 'the test files'}`;
      progress(`FAIL ${title}: ${err instanceof Error ? err.message : String(err)}`);
      if (resultsFile) writeAtomically(resultsFile, JSON.stringify(failureResult(title, err), null, 2));
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }

    try {
      const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
      const runner = mocha.run((failures) => {
        try {
          if (resultsFile) fs.renameSync(`${resultsFile}.partial`, resultsFile);
        } catch (err) {
          reject(err);
          return;
        }
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
      runner.on(EVENT_TEST_PASS, (t) => progress(`ok   ${t.fullTitle()} (${t.duration ?? 0} ms)`));
      runner.on(EVENT_TEST_FAIL, (t, err) => progress(`FAIL ${t.fullTitle()}: ${String(err?.message ?? err).split('\n')[0]}`));
      runner.on(EVENT_TEST_PENDING, (t) => progress(`skip ${t.fullTitle()}`));
    } catch (err) {
      if (resultsFile) writeAtomically(resultsFile, JSON.stringify(failureResult('running mocha', err), null, 2));
      reject(err);
    }
  });
}
