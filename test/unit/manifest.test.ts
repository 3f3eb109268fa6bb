// Activation registers the commands in COMMAND_IDS and loads their handlers on first use; the
// manifest is what VS Code shows in the palette and menus. The two lists must be the same.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND_IDS } from '../../src/commands/ids';

interface Manifest {
  contributes: { commands: Array<{ command: string }>; menus: Record<string, Array<{ command?: string }>> };
}

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as Manifest;

describe('manifest and command registration', () => {
  it('registers exactly the commands package.json contributes, each once', () => {
    const declared = manifest.contributes.commands.map((c) => c.command);
    assert.equal(new Set(COMMAND_IDS).size, COMMAND_IDS.length, 'COMMAND_IDS lists a command twice');
    assert.deepEqual([...COMMAND_IDS].sort(), [...declared].sort());
  });

  it('puts only registered commands in menus', () => {
    const known = new Set<string>(COMMAND_IDS);
    const unknown = Object.entries(manifest.contributes.menus).flatMap(([menu, items]) =>
      items.filter((i) => i.command && !known.has(i.command)).map((i) => `${menu}: ${i.command}`),
    );
    assert.deepEqual(unknown, []);
  });
});
