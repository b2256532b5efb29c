/**
 * A Keyv cache (the `keyv` package) as the `'cache'` and `'cached_db'`
 * stores use it: the members they call. A `Keyv` instance is one. Declared
 * here, not imported from `keyv`, so that the package's types need no
 * optional package: an app that uses neither cache store need not install
 * `keyv` for its type-check.
 */
export interface SessionKeyv {
  /** The storage adapter (`@keyv/redis`'s, a `Map`, ...). */
  readonly store: unknown;
  /** Whether failures are thrown, not only emitted as `error` events. */
  readonly throwOnErrors: boolean;
  /** Iterates over the entries, when the adapter can. */
  readonly iterator?: (namespace?: string) => AsyncIterable<unknown>;
  get(key: string): Promise<unknown>;
  set(key: string, value: string, ttl?: number): Promise<boolean>;
  has(key: string): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  deleteMany(keys: string[]): Promise<boolean>;
  clear(): Promise<void>;
  disconnect(): Promise<void>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  off(event: 'error', listener: (error: unknown) => void): unknown;
}
