import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type SessionData,
  type SessionExpiry,
  SessionStore,
  type SessionWrite,
} from 'nest-sessions';

/** The token of the `Map` a `MapSessionStore` keeps its sessions in. */
export const SESSION_MAP = 'SESSION_MAP';

interface Entry {
  data: string;
  expiresAt: number;
}

/**
 * An app's own store, the way a user would write one: sessions in a `Map`
 * (one process, gone on restart), injected by Nest.
 */
@Injectable()
export class MapSessionStore extends SessionStore {
  constructor(
    @Optional()
    @Inject(SESSION_MAP)
    readonly entries: Map<string, Entry> = new Map(),
  ) {
    super();
  }

  load(key: string): Promise<SessionData | null> {
    const entry = this.live(key);
    return Promise.resolve(entry ? parse(entry.data) : null);
  }

  exists(key: string): Promise<boolean> {
    return Promise.resolve(this.live(key) !== undefined);
  }

  create(write: SessionWrite): Promise<string> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const key = this.newSessionKey();
      if (!this.entries.has(key)) {
        this.put(key, write.data, write.expiry);
        return Promise.resolve(key);
      }
    }
    return Promise.reject(new Error('no free session key in 10 attempts'));
  }

  save(key: string, { changes, expiry }: SessionWrite): Promise<string | null> {
    const entry = this.live(key);
    if (entry === undefined) {
      return Promise.resolve(null);
    }
    const stored = changes.replaced ? {} : parse(entry.data);
    for (const removed of changes.removed) {
      delete stored[removed];
    }
    const data = { ...stored, ...changes.set };
    // increment(): the amount goes onto the stored number, not the one the
    // request saw, so that concurrent increments all count.
    for (const [name, amount] of Object.entries(changes.increments)) {
      const current = stored[name];
      data[name] = (typeof current === 'number' ? current : 0) + amount;
    }
    this.put(key, data, expiry);
    return Promise.resolve(key);
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(key));
  }

  deleteIfEmpty(key: string): Promise<boolean> {
    const entry = this.live(key);
    return Promise.resolve(
      entry !== undefined && entry.data === '{}' && this.entries.delete(key),
    );
  }

  clearExpired(): Promise<number> {
    let cleared = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= Date.now() && this.entries.delete(key)) {
        cleared++;
      }
    }
    return Promise.resolve(cleared);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  }

  private put(key: string, data: SessionData, expiry: SessionExpiry): void {
    const expiresAt =
      expiry instanceof Date ? expiry.getTime() : Date.now() + expiry * 1000;
    this.entries.set(key, { data: JSON.stringify(data), expiresAt });
  }
}

/** Stored data as an object; anything else (corrupt) as an empty one. */
function parse(text: string): SessionData {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as SessionData;
    }
  } catch {
    // corrupt: an empty session
  }
  return {};
}
