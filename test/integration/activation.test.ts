// The extension loads in a real extension host and registers every command its manifest lists.
import * as assert from 'node:assert/strict';
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
