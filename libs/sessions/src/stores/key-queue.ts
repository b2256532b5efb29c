/**
 * Runs the tasks given for one key one after another, in the order given;
 * tasks of different keys run side by side. A task that fails does not stop
 * the ones after it. Holds an entry only for keys with tasks pending.
 */
export class KeyQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** The number of keys with tasks pending. */
  get size(): number {
    return this.tails.size;
  }

  /** `task()`'s result, once the tasks given before it for `key` have settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) {
        this.tails.delete(key);
      }
    });
    return result;
  }
}
