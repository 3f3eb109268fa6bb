/**
 * When the Environments tree redraws. A redraw of the whole tree makes VS Code forget every row's
 * handle until it has fetched the rows again, and a context-menu command chosen in that moment
 * reaches its handler without its row (it then asks "Choose an application"). So the tree redraws
 * for what it shows, and not for changes it does not show. Real TreeDataProvider and token service in
 * the extension host; the stores are in memory.
 */
import * as assert from 'node:assert/strict';
import { TokenService } from '../../src/core/service';
import { ExplorerTree } from '../../src/tree/explorerTree';
import { ApplicationNode, EnvironmentNode } from '../../src/tree/nodes';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import type { Sandbox } from '../sandbox';
import { sandbox, sandboxEnvironment, workerApplication } from './helpers';

describe('Environments tree redraws', () => {
  let s: Sandbox;
  let service: TokenService;
  let tree: ExplorerTree;
  /** What each redraw named: undefined for the whole tree, else the rows. */
  let redrawn: Array<unknown[] | undefined>;

  before(async () => {
    s = await sandbox();
  });

  beforeEach(() => {
    service = new TokenService({ state: new MemoryState(), secrets: new MemorySecrets(), http: () => ({ timeoutMs: 5000 }) });
    tree = new ExplorerTree(service);
    redrawn = [];
    tree.onDidChangeTreeData((e) => {
      redrawn.push(e === undefined ? undefined : Array.isArray(e) ? e : [e]);
    });
  });

  afterEach(() => tree.dispose());

  /** Fetches every row as VS Code does for an expanded view. */
  function draw(): string[] {
    const labels: string[] = [];
    const walk = (nodes: ReturnType<ExplorerTree['getChildren']>): void => {
      for (const n of nodes) {
        labels.push(String(tree.getTreeItem(n).label));
        if (n instanceof EnvironmentNode || n instanceof ApplicationNode) walk(tree.getChildren(n));
      }
    };
    walk(tree.getChildren());
    return labels;
  }

  it('does not redraw for a new client secret, and redraws once for a new name or token set', async () => {
    const env = await service.addEnvironment(sandboxEnvironment(s));
    const input = workerApplication(s);
    const app = await service.addApplication(env.id, input);
    draw();
    redrawn = [];

    await service.updateApplication(app.id, { ...input, clientSecret: 'another-secret' });
    assert.equal(redrawn.length, 0, 'a secret the tree does not show redraws nothing');

    await service.updateApplication(app.id, { ...input, name: 'Renamed worker' });
    assert.equal(redrawn.length, 1, 'a new name redraws');
    assert.ok(draw().includes('Renamed worker'));

    await service.updateApplication(app.id, { ...input, name: 'Renamed worker', clientSecret: s.clients.worker.clientSecret });
    assert.equal(redrawn.length, 1);
    await service.clientCredentials(app.id);
    assert.equal(redrawn.length, 2, 'a new token set redraws');
    assert.ok(draw().includes('Client credentials'), 'the token set is drawn');
  });

  it('redraws only the environment a change is in, so the rows of the others keep their handles; a new environment redraws all', async () => {
    await service.addEnvironment(sandboxEnvironment(s, 'One'));
    const two = await service.addEnvironment(sandboxEnvironment(s, 'Two'));
    const input = workerApplication(s);
    const app = await service.addApplication(two.id, input);
    draw();
    redrawn = [];

    await service.updateApplication(app.id, { ...input, name: 'Renamed worker' });
    assert.equal(redrawn.length, 1);
    assert.ok(redrawn[0], 'not the whole tree');
    assert.equal(redrawn[0]!.length, 1);
    const row = redrawn[0]![0] as EnvironmentNode;
    assert.equal(row.environment.id, two.id, 'the environment the application is in');
    assert.ok(
      tree.getChildren(row).some((n) => tree.getTreeItem(n).label === 'Renamed worker'),
      'its rows show the change',
    );

    await service.clientCredentials(app.id);
    assert.deepEqual(
      redrawn.slice(1).map((r) => r?.map((n) => (n as EnvironmentNode).environment.id)),
      [[two.id]],
      'a new token set redraws its environment only',
    );

    await service.updateEnvironment(two.id, { ...sandboxEnvironment(s, 'Two renamed') });
    const last = redrawn.at(-1)!;
    assert.equal((last[0] as EnvironmentNode).environment.id, two.id);
    assert.equal(tree.getTreeItem(last[0] as EnvironmentNode).label, 'Two renamed', 'the row redrawn on its own shows the new name');
    assert.equal(last.length, 1);

    redrawn = [];
    await service.addEnvironment(sandboxEnvironment(s, 'Three'));
    assert.deepEqual(redrawn, [undefined], 'a new environment redraws the whole tree');
  });
});
