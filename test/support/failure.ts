/** Awaits a promise that must fail with an ExplorerError, and returns that error for assertions. */
import assert from 'node:assert/strict';
import { ExplorerError } from '../../src/core/errors';

export async function failure(p: Promise<unknown>): Promise<ExplorerError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ExplorerError, `expected ExplorerError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}
