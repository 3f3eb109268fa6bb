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
  let redraws: number;

  before(async () => {
    s = await sandbox();
  });

  beforeEach(() => {
    service = new TokenService({ state: new MemoryState(), secrets: new MemorySecrets(), http: () => ({ timeoutMs: 5000 }) });
    tree = new ExplorerTree(service);
    redraws = 0;
    tree.onDidChangeTreeData(() => redraws++);
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
    redraws = 0;

    await service.updateApplication(app.id, { ...input, clientSecret: 'another-secret' });
    assert.equal(redraws, 0, 'a secret the tree does not show redraws nothing');

    await service.updateApplication(app.id, { ...input, name: 'Renamed worker' });
    assert.equal(redraws, 1, 'a new name redraws');
    assert.ok(draw().includes('Renamed worker'));

    await service.updateApplication(app.id, { ...input, name: 'Renamed worker', clientSecret: s.clients.worker.clientSecret });
    assert.equal(redraws, 1);
    await service.clientCredentials(app.id);
    assert.equal(redraws, 2, 'a new token set redraws');
    assert.ok(draw().includes('Client credentials'), 'the token set is drawn');
  });
});
