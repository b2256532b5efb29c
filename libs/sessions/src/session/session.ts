import { inspect } from 'node:util';
import { SessionDataError } from '../errors/session-data.error.js';
import { SessionInterruptedError } from '../errors/session-interrupted.error.js';
import type {
  SessionData,
  SessionExpiry,
  SessionStore,
  SessionWrite,
} from '../stores/session.store.js';
import { MAX_EXPIRY_SECONDS } from '../sessions.constants.js';
import { whyNotJson, whyNotStorableText } from './json-value.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';

/** The defaults a session falls back on when it has no expiry of its own. */
export interface SessionSettings {
  /** Lifetime in seconds (`cookie.maxAge`). */
  readonly maxAge: number;
  /** Whether sessions end with the browser (`expireAtBrowserClose`). */
  readonly expireAtBrowserClose: boolean;
}

/** An expiry as `setExpiry()` takes it, or as it is kept in the data. */
export type SessionExpiryValue = number | Date | string | null | undefined;

/** Options of `getExpiryAge()` and `getExpiryDate()`, as Django's kwargs. */
export interface SessionExpiryOptions {
  /** The moment to count from. @default new Date() */
  modification?: Date;
  /** The expiry to use instead of the session's own. */
  expiry?: SessionExpiryValue;
}

/** The data key that holds a session's own expiry, as in Django. */
const EXPIRY_KEY = '_session_expiry';

let readData: (session: Session) => ReadonlyMap<string, unknown>;
let readRefreshDue: (session: Session, touchAfter: number) => boolean;

/**
 * One visitor's session: a dictionary of JSON values with Django's
 * `SessionBase` API, plus its lifecycle (`save`, `flush`, `cycleKey`) and
 * expiry.
 *
 * `accessed` turns true on any read or write of the data; `modified` on any
 * change. Values are JSON: what `get()` returns is the stored value itself, so
 * after changing an object or array in place, `set()` it again (or set
 * `modified = true`, which writes every key).
 *
 * Get one with `@CurrentSession()` or `SessionService.current()`.
 */
export class Session {
  /** Whether the data was read or written since the session was loaded. */
  accessed = false;

  readonly #store: SessionStore;
  readonly #settings: SessionSettings;
  #key: string | null;
  readonly #data: Map<string, unknown>;
  #modified = false;
  /** Keys set and removed since the last write: what a save sends. */
  readonly #setKeys = new Set<string>();
  readonly #removedKeys = new Set<string>();
  /** Amounts `increment()` added, by key: what the store adds in place. */
  readonly #increments = new Map<string, number>();
  /** The data was cleared: the next save replaces the stored object. */
  #replaced = false;
  /** `modified` was set by hand: values may have changed in place. */
  #writeAll = false;
  /** The store holds exactly this session (written in this request, nothing changed since). */
  #inStore = false;
  /** Seconds the stored session had left when it was loaded, if the store told. */
  readonly #expiresIn: number | undefined;

  static {
    readData = (session) => session.#data;
    readRefreshDue = (session, touchAfter) => session.#refreshDue(touchAfter);
  }

  /** @internal Sessions are made by `SessionService`. */
  constructor(
    store: SessionStore,
    settings: SessionSettings,
    key: string | null,
    data: SessionData,
    expiresIn?: number,
  ) {
    this.#store = store;
    this.#settings = settings;
    this.#key = key;
    this.#data = new Map(Object.entries(data));
    this.#expiresIn = expiresIn;
  }

  /** The key of the stored session; `null` until it is first saved. */
  get sessionKey(): string | null {
    return this.#key;
  }

  /**
   * Whether the data changed, so the session will be saved. Set it to
   * `true` after changing a stored object or array in place: the next save
   * then writes every key, not only the ones set through this API.
   */
  get modified(): boolean {
    return this.#modified;
  }

  set modified(value: boolean) {
    this.#modified = value;
    if (value) {
      this.#writeAll = true;
      this.#inStore = false;
    }
  }

  /** The value under `key`, or `defaultValue` (else `undefined`) if none. */
  get<T = unknown>(key: string): T | undefined;
  get<T>(key: string, defaultValue: T): T;
  get(key: string, defaultValue?: unknown): unknown {
    this.accessed = true;
    return this.#data.has(key) ? this.#data.get(key) : defaultValue;
  }

  /**
   * Stores `value` under `key`. Throws `SessionDataError` if the value is
   * not JSON (a `Date`, a `Map`, `undefined`, a function, a cycle...).
   */
  set(key: string, value: unknown): void {
    assertJson(key, value);
    this.#put(key, value);
  }

  /** Whether `key` is in the session. */
  has(key: string): boolean {
    this.accessed = true;
    return this.#data.has(key);
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: string): boolean {
    this.accessed = true;
    if (!this.#data.delete(key)) {
      return false;
    }
    this.#setKeys.delete(key);
    this.#increments.delete(key);
    this.#removedKeys.add(key);
    this.#changed();
    return true;
  }

  /** Removes `key` and returns its value, or `defaultValue` if it was not there. */
  pop<T = unknown>(key: string): T | undefined;
  pop<T>(key: string, defaultValue: T): T;
  pop(key: string, defaultValue?: unknown): unknown {
    const value = this.get(key, defaultValue);
    this.delete(key);
    return value;
  }

  /** The value under `key`; if there is none, stores `value` and returns it. */
  setDefault<T>(key: string, value: T): T {
    if (this.has(key)) {
      return this.#data.get(key) as T;
    }
    this.set(key, value);
    return value;
  }

  /**
   * Adds `amount` to the number under `key` (none counts as 0) and returns
   * the new value, as this request sees it. The database stores apply the
   * addition to the stored number when the session is saved (in SQL), so
   * concurrent requests' increments all count: a counter read with `get()`
   * and written with `set()` would lose them. Throws `SessionDataError` if
   * the value is not a number or `amount` is not a finite number.
   */
  increment(key: string, amount = 1): number {
    const current = this.get<unknown>(key, 0);
    const reason =
      whyNotStorableText(key) ??
      (typeof current !== 'number'
        ? SESSIONS_MESSAGES.notANumber(kindOf(current))
        : typeof amount !== 'number' || !Number.isFinite(current + amount)
          ? SESSIONS_MESSAGES.invalidIncrement(String(amount))
          : null);
    if (reason !== null) {
      throw new SessionDataError(key, reason);
    }
    const value = (current as number) + amount;
    const added = this.#increments.get(key);
    // After a set(), a delete() or a clear(), the request fixed the value
    // itself: the sum is then a value like any other.
    const addsInPlace =
      added !== undefined ||
      !(this.#replaced || this.#setKeys.has(key) || this.#removedKeys.has(key));
    this.#put(key, value);
    if (addsInPlace) {
      this.#increments.set(key, (added ?? 0) + amount);
    }
    return value;
  }

  /** Stores every entry of `values`; none if any value is not JSON. */
  update(values: SessionData): void {
    const entries = Object.entries(values);
    for (const [key, value] of entries) {
      assertJson(key, value);
    }
    this.accessed = true;
    this.#changed();
    for (const [key, value] of entries) {
      this.#put(key, value);
    }
  }

  /** The keys, in insertion order. */
  keys(): string[] {
    this.accessed = true;
    return [...this.#data.keys()];
  }

  /** The values, in insertion order. */
  values(): unknown[] {
    this.accessed = true;
    return [...this.#data.values()];
  }

  /** The `[key, value]` pairs, in insertion order. */
  entries(): [string, unknown][] {
    this.accessed = true;
    return [...this.#data.entries()];
  }

  /** Removes every key; the session keeps its key. */
  clear(): void {
    this.accessed = true;
    this.#data.clear();
    this.#setKeys.clear();
    this.#removedKeys.clear();
    this.#increments.clear();
    this.#replaced = true;
    this.#changed();
  }

  /** True when the session has neither a key nor data (Django's `is_empty()`). */
  isEmpty(): boolean {
    return this.#key === null && this.#data.size === 0;
  }

  /**
   * Sets when the session expires:
   * - whole seconds (up to 100 years): after that many seconds of inactivity;
   * - a `Date`: at that moment;
   * - `0`: when the browser closes (the cookie gets no expiry);
   * - `null`: back to the module's default.
   */
  setExpiry(value: number | Date | null): void {
    if (value === null) {
      this.delete(EXPIRY_KEY);
      return;
    }
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) {
        throw new SessionDataError(
          EXPIRY_KEY,
          SESSIONS_MESSAGES.invalidExpiryDate(),
        );
      }
      this.#put(EXPIRY_KEY, value.toISOString());
      return;
    }
    if (!Number.isSafeInteger(value) || Math.abs(value) > MAX_EXPIRY_SECONDS) {
      throw new SessionDataError(EXPIRY_KEY, SESSIONS_MESSAGES.invalidExpiry());
    }
    this.#put(EXPIRY_KEY, value);
  }

  /**
   * Seconds until the session expires, counted from `modification`
   * (whole seconds, rounded down). The module's `maxAge` when the session has
   * no expiry of its own or expires at browser close.
   */
  getExpiryAge(options: SessionExpiryOptions = {}): number {
    const expiry = this.#expiryFrom(options);
    if (expiry instanceof Date) {
      const modification = options.modification ?? new Date();
      return Math.floor((expiry.getTime() - modification.getTime()) / 1000);
    }
    return expiry || this.#settings.maxAge;
  }

  /** When the session expires, counted from `modification`. */
  getExpiryDate(options: SessionExpiryOptions = {}): Date {
    const expiry = this.#expiryFrom(options);
    if (expiry instanceof Date) {
      return expiry;
    }
    const modification = options.modification ?? new Date();
    const seconds = expiry || this.#settings.maxAge;
    return new Date(modification.getTime() + seconds * 1000);
  }

  /**
   * Whether the session ends when the browser closes: its own `setExpiry(0)`,
   * or the module's `expireAtBrowserClose` when it has no expiry of its own.
   */
  getExpireAtBrowserClose(): boolean {
    const expiry: unknown = this.get(EXPIRY_KEY);
    if (expiry === undefined || expiry === null) {
      return this.#settings.expireAtBrowserClose;
    }
    return expiry === 0;
  }

  /**
   * Saves the session: creates it under a new key the first time, then
   * writes only what changed. Throws `SessionInterruptedError` if the session
   * was deleted meanwhile (a save never brings a deleted session back).
   *
   * A stored session left with no data is deleted instead, and loses its
   * key; unless a concurrent request stored data in it meanwhile, which is
   * kept.
   */
  async save(): Promise<void> {
    if (this.#key === null) {
      this.#key = await this.#store.create(this.#write());
      this.#written();
      this.#modified = true;
      return;
    }
    if (this.#data.size === 0) {
      await this.#deleteEmptied(this.#key);
      return;
    }
    if (this.#inStore) {
      return;
    }
    this.#key = await this.#saveChanges(this.#key);
    this.#written();
  }

  /**
   * Deletes the session from the store and empties it; the next save starts
   * a new session under a new key. Call it on logout.
   */
  async flush(): Promise<void> {
    this.clear();
    const key = this.#key;
    this.#key = null;
    if (key !== null) {
      await this.#store.delete(key);
    }
  }

  /**
   * Moves the data to a new key and deletes the old one. Call it on login,
   * so a key planted before login is worthless after it. Throws
   * `SessionInterruptedError` if the session was deleted meanwhile (a
   * concurrent logout), rather than bring its data back under a new key.
   * A session never saved just keeps waiting for its first key.
   *
   * The new session is stored before the old one is deleted: if either step
   * fails, the session is still under one of its keys, and no copy is left.
   */
  async cycleKey(): Promise<void> {
    this.accessed = true;
    this.#changed();
    const previousKey = this.#key;
    if (previousKey === null) {
      return;
    }
    const key = await this.#store.create(this.#write());
    let deleted: boolean;
    try {
      deleted = await this.#store.delete(previousKey);
    } catch (error) {
      await this.#store.delete(key).catch(() => undefined);
      throw error;
    }
    if (!deleted) {
      await this.#store.delete(key);
      throw new SessionInterruptedError();
    }
    this.#key = key;
    this.#written();
  }

  /** The data as a plain object, so a session can be returned as JSON. */
  toJSON(): SessionData {
    return Object.fromEntries(this.entries());
  }

  /** Keeps session data and the full key out of logs. */
  [inspect.custom](): string {
    const key = this.#key === null ? 'none' : `${this.#key.slice(0, 4)}…`;
    return `Session { key: ${key}, keys: ${this.#data.size}, modified: ${this.#modified} }`;
  }

  async #saveChanges(key: string): Promise<string> {
    const savedKey = await this.#store.save(key, this.#write());
    if (savedKey === null) {
      throw new SessionInterruptedError();
    }
    return savedKey;
  }

  /** Writes the removals, then deletes the row if nothing else filled it meanwhile. */
  async #deleteEmptied(key: string): Promise<void> {
    let emptiedKey = key;
    if (!this.#inStore) {
      const savedKey = await this.#store.save(key, this.#write());
      if (savedKey === null) {
        this.#key = null; // already gone: nothing left to delete
        return;
      }
      // A store that keeps sessions with the client gives a new key per save.
      emptiedKey = this.#key = savedKey;
      this.#written();
    }
    if (await this.#store.deleteIfEmpty(emptiedKey)) {
      this.#key = null;
    }
  }

  #put(key: string, value: unknown): void {
    this.accessed = true;
    this.#data.set(key, value);
    this.#setKeys.add(key);
    this.#removedKeys.delete(key);
    this.#increments.delete(key);
    this.#changed();
  }

  #changed(): void {
    this.#modified = true;
    this.#inStore = false;
  }

  #write(): SessionWrite {
    const data = Object.fromEntries(this.#data);
    const set =
      this.#replaced || this.#writeAll
        ? data
        : Object.fromEntries(
            [...this.#setKeys].map((key) => [key, this.#data.get(key)]),
          );
    return {
      data,
      changes: {
        set,
        removed: [...this.#removedKeys],
        replaced: this.#replaced,
        increments: Object.fromEntries(this.#increments),
      },
      expiry: this.#storeExpiry(),
    };
  }

  #written(): void {
    this.#setKeys.clear();
    this.#removedKeys.clear();
    this.#increments.clear();
    this.#replaced = false;
    this.#writeAll = false;
    this.#inStore = true;
  }

  #expiryFrom(options: SessionExpiryOptions): number | Date | null {
    const raw = 'expiry' in options ? options.expiry : this.get(EXPIRY_KEY);
    return parseExpiry(raw);
  }

  /**
   * Whether the expiry was set `touchAfter` seconds ago or more, by the
   * store's clock: the lifetime it was set with, less the time it had left
   * when loaded. Never for a session with a fixed date, or loaded from a
   * store that does not tell the time left.
   */
  #refreshDue(touchAfter: number): boolean {
    const expiry = this.#storeExpiry();
    return (
      this.#key !== null &&
      this.#expiresIn !== undefined &&
      !(expiry instanceof Date) &&
      expiry - this.#expiresIn >= touchAfter
    );
  }

  #storeExpiry(): SessionExpiry {
    const expiry = parseExpiry(this.#data.get(EXPIRY_KEY));
    return expiry instanceof Date ? expiry : expiry || this.#settings.maxAge;
  }
}

/**
 * Whether a loaded session's expiry is due for a refresh under
 * `touchAfter`, without marking it accessed.
 */
export function sessionRefreshDue(
  session: Session,
  touchAfter: number,
): boolean {
  return readRefreshDue(session, touchAfter);
}

/** Whether the session holds any data, without marking it accessed. */
export function sessionHasData(session: Session): boolean {
  return readData(session).size > 0;
}

/** A JSON value's kind, for a message: 'a string', 'an array', 'null'... */
function kindOf(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  const kind = Array.isArray(value) ? 'array' : typeof value;
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

function assertJson(key: string, value: unknown): void {
  const reason = whyNotStorableText(key) ?? whyNotJson(value);
  if (reason !== null) {
    throw new SessionDataError(key, reason);
  }
}

/** A stored or given expiry as seconds or a date; `null` for none or unreadable. */
function parseExpiry(value: unknown): number | Date | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value;
  }
  const date =
    value instanceof Date
      ? value
      : typeof value === 'string'
        ? new Date(value)
        : null;
  return date !== null && !Number.isNaN(date.getTime()) ? date : null;
}
