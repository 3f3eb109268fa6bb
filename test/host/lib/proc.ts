// Small child-process and file helpers shared by the host launchers.
import { spawn, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, as they arrived. */
  output: string;
}

/**
 * Runs a command to completion and collects its output. With `echo`, output is also streamed to
 * this process's stdout/stderr (for long steps such as `npm install`).
 */
export function run(command: string, args: readonly string[], options: SpawnOptions & { echo?: boolean } = {}): Promise<RunResult> {
  const { echo, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (echo) process.stdout.write(d);
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
      if (echo) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/** Like `run`, but rejects (with the output's tail) unless the command exits 0. */
export async function runChecked(command: string, args: readonly string[], options: SpawnOptions & { echo?: boolean } = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.signal ?? `exit ${result.code}`}):\n` + tailText(result.output, 40));
  }
  return result;
}

/** The last `lines` lines of a string. */
export function tailText(text: string, lines = 40): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(-lines).join('\n');
}

/** The last `lines` lines of a file ('' when it does not exist). */
export function tailFile(file: string, lines = 40): string {
  try {
    return tailText(fs.readFileSync(file, 'utf8'), lines);
  } catch {
    return '';
  }
}

/** Indents every line of a block of text (for readable nested output). */
export function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/**
 * Polls `condition` every `intervalMs` until it returns a value other than undefined/false, or
 * rejects with `what` after `timeoutMs`. This waits for a readiness condition; it is never a
 * fixed sleep.
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs, intervalMs = 100 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new TimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Positive integer from an environment variable, or the fallback. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return Math.floor(n);
}
