import type { ClientBase, QueryResult } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import type {
  BatchStart,
  EventsBatchLoader,
  LoadedBatch,
} from './events-batch.loader.js';
import {
  clientOf,
  connectRunner,
  releaseRunner,
} from './query-runner-client.js';

/** A batch loaded ahead on a side connection, in a snapshot it exported. */
interface Prefetch {
  readonly start: BatchStart;
  readonly side: QueryRunner;
  readonly loading: Promise<{ snapshot: string; batch: LoadedBatch }>;
  /** Set once known: where the batch after it starts, if it may load already. */
  following?: BatchStart;
}

/** Batches loaded ahead at most; one side connection each. */
const DEPTH = 2;

/**
 * Loads the next `'events'` batches while the current one fires its events
 * and deletes, each on a side connection of its own, in a REPEATABLE READ
 * transaction whose snapshot it exports. The batch's own transaction adopts
 * that snapshot (`SET TRANSACTION SNAPSHOT`), so its DELETE sees exactly what
 * was loaded, and fails on any session changed since.
 *
 * A side transaction stays open until the batch's transaction has adopted
 * its snapshot; it ends when its connection begins the next load.
 */
export class EventsBatchPrefetcher {
  private readonly queue: Prefetch[] = [];
  /** Side connections not holding a snapshot still to adopt. */
  private readonly free: QueryRunner[];
  /** Side connections with a transaction open. */
  private readonly inTransaction = new Set<QueryRunner>();
  private closed = false;

  private constructor(
    private readonly loader: EventsBatchLoader,
    private readonly sides: QueryRunner[],
    /** The runner whose batches these are: the entities are its. */
    private readonly runner: QueryRunner,
  ) {
    this.free = [...sides];
  }

  static async open(
    dataSource: DataSource,
    loader: EventsBatchLoader,
    runner: QueryRunner,
  ): Promise<EventsBatchPrefetcher> {
    const sides: QueryRunner[] = [];
    try {
      for (let i = 0; i < DEPTH; i++) {
        const side = dataSource.createQueryRunner();
        await connectRunner(side);
        sides.push(side);
      }
    } catch (error) {
      await Promise.all(sides.map((side) => releaseRunner(side, error)));
      throw error;
    }
    return new EventsBatchPrefetcher(loader, sides, runner);
  }

  /**
   * The batch from `start`, if it was loaded ahead: its snapshot is then
   * adopted by the transaction on `client`. Otherwise undefined, and what
   * was loaded ahead (after a batch that was rolled back) is dropped.
   */
  async take(
    client: ClientBase,
    start: BatchStart,
  ): Promise<LoadedBatch | undefined> {
    const first = this.queue[0];
    if (first?.start !== start) {
      await this.dropAll();
      return undefined;
    }
    this.queue.shift();
    const { snapshot, batch } = await first.loading;
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
    this.free.push(first.side);
    this.pump();
    return batch;
  }

  /**
   * Starts loading ahead from `start`, unless that is under way already.
   * Called once the batches before the current one are committed: `start`
   * may then exclude only the current batch's sessions (`taken`).
   */
  loadFrom(start: BatchStart): void {
    if (this.queue.length === 0) {
      this.enqueue(start);
    }
  }

  /** Drops what was loaded ahead, ends the side transactions, lets the connections go. */
  async close(failure?: unknown): Promise<void> {
    this.closed = true;
    await this.dropAll().catch(() => undefined);
    await Promise.all(
      [...this.inTransaction].map((side) =>
        clientOf(side)
          .query('ROLLBACK')
          .catch(() => undefined),
      ),
    );
    this.inTransaction.clear();
    await Promise.all(this.sides.map((side) => releaseRunner(side, failure)));
  }

  /** Loads the batches after the last one queued, while side connections are free. */
  private pump(): void {
    const last = this.queue.at(-1);
    if (last?.following) {
      this.enqueue(last.following);
    }
  }

  private enqueue(start: BatchStart): void {
    const side = this.free.shift();
    if (!side) {
      return;
    }
    if (this.closed) {
      this.free.push(side);
      return;
    }
    const prefetch: Prefetch = {
      start,
      side,
      loading: this.loadOn(side, start, (following) => {
        prefetch.following = following;
        // Still the last queued (not dropped): the batch after it can load
        // now, while this one loads.
        if (this.queue.at(-1) === prefetch) {
          this.pump();
        }
      }),
    };
    // Handled where it is awaited (take, or drop).
    prefetch.loading.catch(() => undefined);
    this.queue.push(prefetch);
  }

  /** Loads the batch from `start` on `side`; tells `found` where the batch after it starts, if it may load already. */
  private async loadOn(
    side: QueryRunner,
    start: BatchStart,
    found: (following: BatchStart) => void,
  ): Promise<{ snapshot: string; batch: LoadedBatch }> {
    const client = clientOf(side);
    // One round trip: end the transaction whose snapshot was adopted, start
    // this one, export its snapshot.
    const begin =
      (this.inTransaction.has(side) ? 'COMMIT; ' : '') +
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ' +
      'SELECT pg_export_snapshot() AS snapshot';
    this.inTransaction.add(side);
    const results = (await client.query(begin)) as unknown as QueryResult<{
      snapshot: string;
    }>[];
    const [{ snapshot }] = results[results.length - 1].rows;
    const batch = await this.loader.fetch(client, start, found);
    return { snapshot, batch: this.loader.hydrate(batch, this.runner) };
  }

  /** Waits for each load ahead, then ends its transaction. */
  private async dropAll(): Promise<void> {
    const dropped = this.queue.splice(0);
    for (const { side, loading } of dropped) {
      await loading.catch(() => undefined);
      if (this.inTransaction.delete(side)) {
        await clientOf(side).query('ROLLBACK');
      }
      this.free.push(side);
    }
  }
}
