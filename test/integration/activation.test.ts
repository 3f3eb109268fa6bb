// The extension loads in a real extension host and registers every command its manifest lists.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cacheFileFor } from '../../src/core/codeCache';

const EXTENSION_ID = 'pingone-tools.pingone-token-explorer';

/** What dist/main.js exports (src/main.ts): activate, and the code cache's diagnostics. */
type MainDiagnostics = typeof import('../../src/main');

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

  it('loads its bundles with a V8 code cache kept in its global storage folder', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this host`);
    await ext.activate();
    await vscode.commands.executeCommand('pingone.getToken', 'no-such-application');
    // dist/main.js is the module VS Code loaded: the same instance, with what it did.
    const main = require(path.join(ext.extensionPath, 'dist', 'main.js')) as MainDiagnostics;
    for (const bundle of ['extension.js', 'features.js']) assert.match(main.codeCacheOutcomes.get(bundle) ?? 'not loaded', /^(written|used)$/, bundle);
    const folder = main.codeCacheFolder() ?? '';
    assert.ok(folder.endsWith(path.join('globalStorage', EXTENSION_ID, 'code-cache')), folder);
    main.flushCodeCache();
    const expected = ['extension.js', 'features.js'].map((b) => {
      const file = fs.realpathSync(path.join(ext.extensionPath, 'dist', b));
      return path.basename(cacheFileFor(folder, file, fs.readFileSync(file, 'utf8')));
    });
    const written = fs.readdirSync(folder).filter((f) => /^(extension|features)-/.test(f));
    assert.deepEqual(written.sort(), expected.sort());
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
