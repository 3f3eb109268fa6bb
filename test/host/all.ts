// `npm test`: every check, in order, with one closing line that counts them all.
//   1. type-check (tsc --noEmit), lint (ESLint, eslint.config.mjs), format check (Prettier)
//   2. unit tests (mocha, plain Node, sandbox on loopback)
//   3. integration tests in a real VS Code extension host (code-server, installed on first use)
//      and the restart suite (two sessions on one user-data folder and browser profile)
//   4. browser end-to-end tests (Playwright + Debian Chromium against code-server with the VSIX)
// Each stage prints its own output; a failing stage fails the run, later stages still run so one
// run shows every failure. Set PTE_STAGES=unit,integration to run a subset.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
/** What `npm run lint` checks (package.json says the same). */
const LINTED = ['src', 'test', 'esbuild.js', 'eslint.config.mjs'];
const stages = (process.env.PTE_STAGES ?? 'typecheck,lint,format,unit,integration,restart,e2e').split(',').map((s) => s.trim());

interface Outcome {
  stage: string;
  ok: boolean;
  passed: number;
  failed: number;
  seconds: number;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  return { ok: r.status === 0, output: `${r.stdout ?? ''}\n${r.stderr ?? ''}` };
}

/** Reads "label: N passed, N failed" printed by the host launchers. */
function counts(output: string): { passed: number; failed: number } {
  const m = [...output.matchAll(/^\w+: (\d+) passed, (\d+) failed/gm)].pop();
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: 0 };
}

/** Runs mocha with the spec reporter and counts from its summary lines. */
function mocha(label: string, config: string): Outcome {
  const started = Date.now();
  const r = run(bin('mocha'), ['--config', config, '--reporter', 'spec']);
  const passed = Number(/(\d+) passing/.exec(r.output)?.[1] ?? 0);
  const failed = Number(/(\d+) failing/.exec(r.output)?.[1] ?? 0);
  console.log(`${label}: ${passed} passed, ${failed} failed`);
  return { stage: label, ok: r.ok && passed > 0, passed, failed, seconds: (Date.now() - started) / 1000 };
}

function launcher(label: string, script: string): Outcome {
  const started = Date.now();
  const r = run(process.execPath, [path.join(root, 'out/test/host', script)]);
  const c = counts(r.output);
  return { stage: label, ok: r.ok && c.passed > 0, ...c, seconds: (Date.now() - started) / 1000 };
}

const outcomes: Outcome[] = [];
for (const stage of stages) {
  console.log(`\n=== ${stage} ===`);
  switch (stage) {
    case 'typecheck': {
      const started = Date.now();
      const r = run(bin('tsc'), ['--noEmit', '-p', '.']);
      outcomes.push({ stage, ok: r.ok, passed: 0, failed: r.ok ? 0 : 1, seconds: (Date.now() - started) / 1000 });
      console.log(r.ok ? 'typecheck: clean' : 'typecheck: errors above');
      break;
    }
    case 'lint': {
      const started = Date.now();
      const r = run(bin('eslint'), ['--max-warnings=0', ...LINTED]);
      outcomes.push({ stage, ok: r.ok, passed: 0, failed: r.ok ? 0 : 1, seconds: (Date.now() - started) / 1000 });
      console.log(r.ok ? 'lint: clean' : 'lint: problems above (npm run lint -- --fix fixes some)');
      break;
    }
    case 'format': {
      const started = Date.now();
      const r = run(bin('prettier'), ['--check', '.']);
      outcomes.push({ stage, ok: r.ok, passed: 0, failed: r.ok ? 0 : 1, seconds: (Date.now() - started) / 1000 });
      console.log(r.ok ? 'format: clean' : 'format: files above differ from Prettier (npm run format rewrites them)');
      break;
    }
    case 'unit':
      outcomes.push(mocha('unit', 'test/unit/.mocharc.json'));
      break;
    case 'integration':
      outcomes.push(launcher('integration', 'integration.js'));
      break;
    case 'restart':
      outcomes.push(launcher('restart', 'restart.js'));
      break;
    case 'e2e':
      outcomes.push(launcher('e2e', 'e2e.js'));
      break;
    default:
      console.error(`unknown stage "${stage}"`);
      process.exit(2);
  }
}

console.log('\n=== summary ===');
for (const o of outcomes)
  console.log(`${o.ok ? 'ok  ' : 'FAIL'} ${o.stage.padEnd(12)} ${String(o.passed).padStart(4)} passed ${String(o.failed).padStart(3)} failed  ${o.seconds.toFixed(1)} s`);
const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
