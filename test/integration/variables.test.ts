/**
 * ${command:pingone.accessToken} resolved by a real task, and the pinned token set's terminal
 * environment, in the real extension host against the sandbox. Only hashes of tokens are written
 * by the shell; the run's user-data folder is then searched for the token itself.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { activateApi, reset, sandbox, sandboxEnvironment, workerApplication } from './helpers';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

function filesContaining(dir: string, needle: string, found: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) filesContaining(full, needle, found);
    else if (entry.isFile() && fs.statSync(full).size < 64 * 1024 * 1024 && fs.readFileSync(full).includes(needle)) found.push(full);
  }
  return found;
}

/** Runs a shell task and resolves with its exit code. */
async function runTask(name: string, command: string, env: Record<string, string>): Promise<number | undefined> {
  const task = new vscode.Task({ type: 'shell', name }, vscode.TaskScope.Workspace, name, 'pingone-test', new vscode.ShellExecution(command, { env }));
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Never };
  const ended = new Promise<number | undefined>((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name === name) {
        sub.dispose();
        resolve(e.exitCode);
      }
    });
  });
  await vscode.tasks.executeTask(task);
  return ended;
}

/** Opens a terminal that writes the hash of $PINGONE_ACCESS_TOKEN (and the other two variables) and exits. */
async function terminalSees(out: string): Promise<string[]> {
  const closed = new Promise<void>((resolve) => {
    const sub = vscode.window.onDidCloseTerminal((t) => {
      if (t.name === 'pte-env') {
        sub.dispose();
        resolve();
      }
    });
  });
  vscode.window.createTerminal({
    name: 'pte-env',
    shellPath: '/bin/sh',
    shellArgs: ['-c', `{ printf %s "$PINGONE_ACCESS_TOKEN" | sha256sum | cut -d' ' -f1; echo "$PINGONE_TOKEN_TYPE"; echo "$PINGONE_ISSUER"; } > '${out}'`],
  });
  await closed;
  return fs.readFileSync(out, 'utf8').replace(/\n$/, '').split('\n');
}

describe('task and launch variables, terminals', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;
  let tmp: string;

  before(async () => {
    api = await activateApi();
    s = await sandbox();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-vars-'));
  });
  beforeEach(() => reset(api));
  after(async () => {
    await api.pin(undefined);
    await reset(api);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function pinnedWorker() {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, workerApplication(s));
    const info = await api.clientCredentials(app.id);
    await api.pin(info.id);
    return { env, app, info };
  }

  it("resolves ${command:pingone.accessToken} in a real task's options.env with the pinned token set", async () => {
    const { info } = await pinnedWorker();
    assert.equal(api.pinned(), info.id);
    const out = path.join(tmp, 'task.txt');
    const code = await runTask('pte-hash', `printf %s "$PINGONE_TOKEN" | sha256sum | cut -d' ' -f1 > '${out}'`, { PINGONE_TOKEN: '${command:pingone.accessToken}' });
    assert.equal(code, 0);
    assert.equal(fs.readFileSync(out, 'utf8').trim(), sha256((await api.getTokens(info.id)).accessToken));
  });

  it('returns the authorization header and refuses an ID token from a client-credentials set with a clear message', async () => {
    const { info } = await pinnedWorker();
    const header = await vscode.commands.executeCommand<string>('pingone.authorizationHeader');
    assert.equal(header, `Bearer ${(await api.getTokens(info.id)).accessToken}`);
    const err = await Promise.resolve(vscode.commands.executeCommand('pingone.idToken')).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.match(String(err?.message), /no ID token/);
    // args name another set or application; an unknown one is an actionable error
    const named = await vscode.commands.executeCommand<string>('pingone.accessToken', { tokenSet: info.id });
    assert.equal(named, (await api.getTokens(info.id)).accessToken);
    const unknown = await Promise.resolve(vscode.commands.executeCommand('pingone.accessToken', { application: 'Nope' })).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.match(String(unknown?.message), /No PingOne application is called "Nope"/);
  });

  it('exports the pinned token to new terminals, updates it after a refresh, and clears it when unpinned; nothing lands on disk', async () => {
    const { env, info } = await pinnedWorker();
    const first = (await api.getTokens(info.id)).accessToken;
    assert.deepEqual(await terminalSees(path.join(tmp, 't1.txt')), [sha256(first), 'Bearer', env.issuer]);
    await api.refresh(info.id);
    const second = (await api.getTokens(info.id)).accessToken;
    assert.notEqual(second, first);
    await api.pin(info.id); // waits for the terminal environment to be written
    assert.deepEqual(await terminalSees(path.join(tmp, 't2.txt')), [sha256(second), 'Bearer', env.issuer]);
    await api.pin(undefined);
    assert.equal(api.pinned(), undefined);
    assert.deepEqual(await terminalSees(path.join(tmp, 't3.txt')), [sha256(''), '', '']);

    const results = process.env.PTE_TEST_RESULTS;
    const userData = results ? path.join(path.dirname(path.dirname(results)), 'user-data') : undefined;
    if (userData && fs.existsSync(userData)) {
      assert.deepEqual([...filesContaining(userData, first), ...filesContaining(userData, second)], [], 'a token was written under user-data');
    }
  });

  it('unpins a deleted token set and clears the terminal environment', async () => {
    const { info } = await pinnedWorker();
    await api.deleteTokenSet(info.id); // deleting from the tree always asks first (a modal the test host refuses)
    assert.equal(api.pinned(), undefined);
    assert.deepEqual(await terminalSees(path.join(tmp, 't4.txt')), [sha256(''), '', '']);
  });
});
