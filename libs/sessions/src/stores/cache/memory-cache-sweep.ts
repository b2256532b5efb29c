import type { SessionKeyv } from './session-keyv.interface.js';

/** Writes before the first sweep, and the fewest between two. */
const MIN_WRITES_BETWEEN_SWEEPS = 1000;

/**
 * Drops the expired entries of a Keyv kept in this process's memory (a
 * `Map`). Keyv drops an expired entry only when it is read, so the sessions
 * of visitors who never come back would stay in memory for good.
 *
 * A sweep reads every entry; it runs after as many writes as there were
 * entries left by the sweep before (at least `MIN_WRITES_BETWEEN_SWEEPS`),
 * so that its cost per write stays constant and expired entries never
 * outnumber the live ones by much.
 */
export class MemoryCacheSweep {
  private writes = 0;
  private writesBetweenSweeps = MIN_WRITES_BETWEEN_SWEEPS;
  private sweeping = false;

  private constructor(private readonly cache: SessionKeyv) {}

  /** A sweep for `cache` if it is kept in memory, else `undefined`. */
  static of(cache: SessionKeyv): MemoryCacheSweep | undefined {
    const store: unknown = cache.store;
    return store instanceof Map && cache.iterator !== undefined
      ? new MemoryCacheSweep(cache)
      : undefined;
  }

  /** Counts a write, and starts a sweep in the background when one is due. */
  noteWrite(): void {
    this.writes += 1;
    if (this.sweeping || this.writes < this.writesBetweenSweeps) {
      return;
    }
    this.writes = 0;
    this.sweeping = true;
    // A Map does not fail; were it to, the next due sweep tries again.
    void this.sweep()
      .catch(() => undefined)
      .finally(() => {
        this.sweeping = false;
      });
  }

  /** Reads every entry: Keyv's iterator deletes the expired ones it meets. */
  async sweep(): Promise<void> {
    let live = 0;
    for await (const entry of this.cache.iterator!(undefined)) {
      if (entry !== undefined) {
        live += 1;
      }
    }
    this.writesBetweenSweeps = Math.max(MIN_WRITES_BETWEEN_SWEEPS, live);
  }
}
