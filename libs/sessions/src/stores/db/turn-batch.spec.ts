import { jest } from '@jest/globals';
import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TurnBatch } from './turn-batch.js';

/** A batch that doubles numbers, and the batches it ran. */
function doubling() {
  const batches: number[][] = [];
  const batch = new TurnBatch((items: readonly number[]) => {
    batches.push([...items]);
    return Promise.resolve(items.map((item) => item * 2));
  });
  return { batch, batches };
}

describe('TurnBatch', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs the items added in one turn together, each getting its own result', async () => {
    const { batch, batches } = doubling();
    const results = Promise.all([batch.add(1), batch.add(2), batch.add(3)]);
    expect(batches).toEqual([]);
    expect(await results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('runs items of a later turn in a batch of their own', async () => {
    const { batch, batches } = doubling();
    const first = batch.add(1);
    await nextTurn();
    const second = batch.add(2);
    expect(await Promise.all([first, second])).toEqual([2, 4]);
    expect(batches).toEqual([[1], [2]]);
  });

  it('rejects every item when the batch fails', async () => {
    const failure = new Error('the database went away');
    const batch = new TurnBatch((_items: readonly number[]) =>
      Promise.reject(failure),
    );
    const results = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('settles an item alone when its result is a promise of its own', async () => {
    const failure = new Error('item 2 is at fault');
    const batch = new TurnBatch((items: readonly number[]) =>
      Promise.resolve(
        items.map((item) =>
          item === 2 ? Promise.reject(failure) : Promise.resolve(item),
        ),
      ),
    );
    const results = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('runs outside the context of the request that came first', async () => {
    const context = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const batch = new TurnBatch((items: readonly number[]) => {
      seen.push(context.getStore());
      return Promise.resolve(items);
    });
    const results = await Promise.all([
      context.run('first request', () => batch.add(1)),
      context.run('second request', () => batch.add(2)),
    ]);
    expect(results).toEqual([1, 2]);
    expect(seen).toEqual([undefined]);
  });

  it('runs while the test has faked the timers', async () => {
    jest.useFakeTimers();
    const { batch } = doubling();
    expect(await batch.add(21)).toBe(42);
  });
});
