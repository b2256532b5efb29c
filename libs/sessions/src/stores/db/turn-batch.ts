import { AsyncResource } from 'node:async_hooks';
// Imported rather than the global: test suites that fake timers replace the
// global one, and a store must not stall on them.
import { setImmediate } from 'node:timers';

/**
 * Runs items together with their results, in the same order. A result may be
 * a promise of its own, which settles that item alone.
 */
export type BatchRunner<Item, Result> = (
  items: readonly Item[],
) => Promise<readonly (Result | Promise<Result>)[]>;

interface Waiting<Item, Result> {
  readonly item: Item;
  readonly resolve: (result: Result | Promise<Result>) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers the items added during one turn of Node's event loop and runs them
 * as one batch when the turn's callbacks are done (`setImmediate`). Under
 * load, the requests whose data arrived together share one statement; a lone
 * request waits only for the end of its own turn.
 */
export class TurnBatch<Item, Result> {
  private waiting: Waiting<Item, Result>[] | undefined;
  /**
   * Where batches run: in the context the batch was made in, not in that of
   * the request that came first (a batch serves them all), so that request
   * context (`AsyncLocalStorage`, tracing) does not follow the statement.
   */
  private readonly scope = new AsyncResource('TurnBatch');

  constructor(private readonly run: BatchRunner<Item, Result>) {}

  /** The item's result, once its batch has run. */
  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      if (this.waiting === undefined) {
        this.waiting = [];
        this.scope.runInAsyncScope(() =>
          setImmediate(() => void this.runWaiting()),
        );
      }
      this.waiting.push({ item, resolve, reject });
    });
  }

  private async runWaiting(): Promise<void> {
    const batch = this.waiting ?? [];
    this.waiting = undefined;
    try {
      const results = await this.run(batch.map(({ item }) => item));
      batch.forEach(({ resolve }, index) => resolve(results[index]));
    } catch (error) {
      for (const { reject } of batch) {
        reject(error);
      }
    }
  }
}
