import {
  type SessionData,
  SessionStore,
  type SessionWrite,
} from './session.store.js';

/** What the `'file'` store needs. */
export interface FileSessionStoreOptions {
  /** The folder of the session files (absolute); made if missing. */
  readonly path: string;
}

/** SKELETON: being built. The `'file'` store: one file per session in a folder. */
export class FileSessionStore extends SessionStore {
  constructor(private readonly options: FileSessionStoreOptions) {
    super();
  }

  load(key: string): Promise<SessionData | null> {
    throw new Error(
      `${this.constructor.name}.load: being built (${key.length})`,
    );
  }

  exists(key: string): Promise<boolean> {
    throw new Error(
      `${this.constructor.name}.exists: being built (${key.length})`,
    );
  }

  create(write: SessionWrite): Promise<string> {
    throw new Error(
      `${this.constructor.name}.create: being built (${typeof write})`,
    );
  }

  save(key: string, write: SessionWrite): Promise<string | null> {
    throw new Error(
      `${this.constructor.name}.save: being built (${key.length}, ${typeof write})`,
    );
  }

  delete(key: string): Promise<boolean> {
    throw new Error(
      `${this.constructor.name}.delete: being built (${key.length})`,
    );
  }

  deleteIfEmpty(key: string): Promise<boolean> {
    throw new Error(
      `${this.constructor.name}.deleteIfEmpty: being built (${key.length})`,
    );
  }

  clearExpired(): Promise<number> {
    throw new Error(`${this.constructor.name}.clearExpired: being built`);
  }
}
