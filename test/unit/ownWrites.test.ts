/**
 * OwnWritesState against a store that behaves as VS Code's extension-host globalState can: a late
 * change report replaces the whole value with an older snapshot after a newer write resolved.
 */
import assert from 'node:assert/strict';
import { LATE_REPORT_MS, OwnWritesState } from '../../src/core/ownWrites';
import { TokenService } from '../../src/core/service';
import { MemorySecrets, MemoryState } from '../support/memoryStores';

describe('a window reads back its own writes', () => {
  it('ignores a late report of one of its own older values, so a later write does not lose an entry', async () => {
    const store = new MemoryState();
    const state = new OwnWritesState(store);
    await state.update('list', ['a']);
    await state.update('list', ['a', 'b']);
    // The workbench's late report of the first write arrives: the store's copy goes back.
    store.data.set('list', JSON.stringify(['a']));
    assert.deepEqual(state.get('list'), ['a', 'b']);
    await state.update('list', [...(state.get<string[]>('list') ?? []), 'c']);
    assert.deepEqual(state.get('list'), ['a', 'b', 'c']);
  });

  it('takes a value it never wrote (another window, Settings Sync) as the current one', async () => {
    const store = new MemoryState();
    const state = new OwnWritesState(store);
    await state.update('list', ['a']);
    store.data.set('list', JSON.stringify(['a', 'from another window']));
    assert.deepEqual(state.get('list'), ['a', 'from another window']);
    // And a report of this window's old value after that is no longer overridden.
    store.data.set('list', JSON.stringify(['a']));
    assert.deepEqual(state.get('list'), ['a']);
  });

  it('after a while, an earlier value is taken too (another window deleted what this one added)', async () => {
    const store = new MemoryState();
    let now = 1_000_000;
    const state = new OwnWritesState(store, () => now);
    await state.update('list', []);
    await state.update('list', ['added here']);
    now += LATE_REPORT_MS + 1;
    store.data.set('list', JSON.stringify([]));
    assert.deepEqual(state.get('list'), []);
  });

  it('the token service keeps an application added just before a stale report', async () => {
    const store = new MemoryState();
    const service = new TokenService({ state: new OwnWritesState(store), secrets: new MemorySecrets(), http: () => ({ timeoutMs: 5000 }) });
    const env = await service.addEnvironment({ name: 'OIDC', kind: 'oidc', issuer: 'https://idp.example.com' });
    const snapshot = store.data.get('pte.v1.applications');
    const first = await service.addApplication(env.id, { name: 'First', clientId: 'first', authMethod: 'none', redirectUri: 'http://127.0.0.1/callback' });
    // A late report of the list as it was before the first application.
    if (snapshot === undefined) store.data.delete('pte.v1.applications');
    else store.data.set('pte.v1.applications', snapshot);
    assert.equal(service.getApplication(first.id).name, 'First');
    const second = await service.addApplication(env.id, { name: 'Second', clientId: 'second', authMethod: 'none', redirectUri: 'http://127.0.0.1/callback' });
    assert.deepEqual(
      service
        .listApplications()
        .map((a) => a.id)
        .sort(),
      [first.id, second.id].sort(),
    );
  });
});
