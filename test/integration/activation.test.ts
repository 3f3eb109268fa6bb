// The extension loads in a real extension host and registers every command its manifest lists.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'pingone-tools.pingone-token-explorer';

interface ManifestCommand {
  command: string;
  title?: string;
}

describe('activation', () => {
  it(`finds the extension ${EXTENSION_ID}`, () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
  });

  it('activates without throwing', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('leaves the command handlers, the inspector and the grant code unloaded until first use', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
    await ext.activate();
    const onDemand = path.join(ext.extensionPath, 'dist', 'features.js');
    assert.ok(fs.existsSync(onDemand), `${onDemand} was not built`);
    assert.equal(require.cache[onDemand], undefined, 'dist/features.js was loaded during activation');
    // The first command loads it, and works: the API's decode is local, so use a command that is not.
    // It shows its failure itself and resolves: a rejection would add VS Code's own second toast.
    const missing = await vscode.commands.executeCommand('pingone.getToken', 'no-such-application');
    assert.equal(missing, undefined);
    assert.ok(require.cache[onDemand], 'dist/features.js was not loaded by the first command');
  });

  it('registers every command listed in package.json contributes.commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
    await ext.activate();
    const declared: ManifestCommand[] = ext.packageJSON?.contributes?.commands ?? [];
    assert.ok(Array.isArray(declared) && declared.length > 0, 'package.json contributes no commands');

    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c.command));
    assert.deepEqual(
      missing.map((c) => `${c.command}${c.title ? ` (${c.title})` : ''}`),
      [],
      `${missing.length} of ${declared.length} declared command(s) are not registered after activation`,
    );
  });
});
