// Mocha JSON results (as written by test/integration/index.ts) and the summary the launchers print.
import * as fs from 'node:fs';

export interface MochaJsonTest {
  title: string;
  fullTitle: string;
  file?: string;
  duration?: number;
  err: { message?: string; stack?: string } | Record<string, never>;
}

export interface MochaJsonResults {
  stats: { tests: number; passes: number; failures: number; pending: number; duration?: number };
  tests: MochaJsonTest[];
  passes: MochaJsonTest[];
  failures: MochaJsonTest[];
  pending: MochaJsonTest[];
}

/** Reads and sanity-checks a results file. Throws with a readable message when it is not one. */
export function readResults(file: string): MochaJsonResults {
  const text = fs.readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON (${(err as Error).message}): ${text.slice(0, 200)}`);
  }
  const r = parsed as Partial<MochaJsonResults>;
  if (!r || typeof r !== 'object' || !r.stats || !Array.isArray(r.failures)) {
    throw new Error(`${file} does not hold mocha JSON results: ${text.slice(0, 200)}`);
  }
  return { tests: [], passes: [], pending: [], ...r } as MochaJsonResults;
}

/** The stack without mocha's and Node's own frames, at most `maxLines` lines. */
function usefulStack(err: MochaJsonTest['err']): string {
  const e = err as { message?: string; stack?: string };
  const text = e.stack || e.message || '(no error message)';
  // Drop frames of mocha, Node and VS Code's extension host: they are the same in every failure.
  const noise = /node_modules[\\/]mocha[\\/]|\(node:internal|extensionHostProcess\.js|^\s+at (process\.processTicksAndRejections|new Promise|Array\.forEach) /;
  const lines = text.split('\n').filter((l) => !noise.test(l));
  return lines.slice(0, 25).join('\n');
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  /** Process exit code: 1 when anything failed or nothing ran. */
  exitCode: number;
  /** The final line, e.g. "integration: 3 passed, 0 failed" (", 1 skipped" when any were). */
  line: string;
}

/** Prints each failure (title and error) and the final summary line; returns the summary. */
export function reportResults(label: string, results: MochaJsonResults, print: (s: string) => void = console.log): Summary {
  const passed = results.stats.passes ?? results.passes.length;
  const failed = results.stats.failures ?? results.failures.length;
  const skipped = results.stats.pending ?? results.pending.length;
  results.failures.forEach((t, i) => {
    print(`\n  ${i + 1}) ${t.fullTitle}`);
    print(
      usefulStack(t.err)
        .split('\n')
        .map((l) => `     ${l}`)
        .join('\n'),
    );
  });
  if (results.failures.length > 0) print('');
  if (passed + failed === 0) print(`${label}: no tests ran${process.env.PTE_TEST_GREP ? ` (PTE_TEST_GREP=${process.env.PTE_TEST_GREP})` : ''}`);
  const line = `${label}: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
  print(line);
  return { passed, failed, skipped, line, exitCode: failed > 0 || passed + failed === 0 ? 1 : 0 };
}

/** The PTE_* variables of this process (passed on to the extension host). */
export function pteEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('PTE_') && v !== undefined) out[k] = v;
  return out;
}
