import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import {
  link,
  lstat,
  mkdir,
  open,
  opendir,
  readFile,
  realpath,
  rename,
  stat,
  type FileHandle,
  unlink,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SessionsConfigurationError } from '../../errors/sessions-configuration.error.js';
import { SessionsError } from '../../errors/sessions.error.js';
import { KeyQueue } from '../key-queue.js';
import {
  applySessionChanges,
  decodeSessionData,
  expiryInstant,
  parseSessionData,
} from '../session-data.js';
import {
  type SessionData,
  SessionStore,
  type SessionWrite,
} from '../session.store.js';
import { SESSIONS_MESSAGES } from '../../errors/sessions.messages.js';

/** What the `'file'` store needs. */
export interface FileSessionStoreOptions {
  /** The folder of the session files (absolute); made if missing. */
  readonly path: string;
}

/** A session's file is this prefix and the session key. */
const SESSION_FILE_PREFIX = 'session-';
/** Files being written start with this; they are renamed or linked into place when complete. */
const TEMP_FILE_PREFIX = '.tmp-';
/** A temporary file this old was left by a crash; `clearExpired()` removes it. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** Opens a session file only if it is not a symbolic link (where the flag exists). */
const READ_FLAGS =
  constants.O_RDONLY | ((constants.O_NOFOLLOW as number | undefined) ?? 0);

/**
 * The `'file'` store (Django's `file` engine): one file per session, named
 * after its key, in the folder `path`. The file holds the data as JSON; its
 * modification time is the session's expiry, so `clearExpired()` finds the
 * expired files from their metadata alone.
 *
 * Keys become file names only when `acceptsKey()` takes them (`[a-z0-9]`,
 * 8 to 40 characters) and the file they name lies directly in the folder, so
 * no key reaches outside it. Files are written whole to a temporary file,
 * then renamed into place (linked, for a new session, so that a collision
 * never overwrites): a reader sees the old file or the new one, never half
 * of one.
 *
 * Saves write the changed keys into the stored data, and never re-create a
 * session that was deleted or expired. Saves and deletes of one session are
 * serialised within this process, so concurrent requests that change
 * different keys both keep their change. Processes sharing the folder do not
 * lock each other out: one of two concurrent saves of a session from two
 * processes can be lost. Use this store with one server process; use `'db'`
 * for more.
 */
export class FileSessionStore extends SessionStore {
  private readonly queue = new KeyQueue();
  private folder: Promise<string> | undefined;

  constructor(private readonly options: FileSessionStoreOptions) {
    super();
  }

  /** Makes and checks the folder when the app starts, so that a bad one stops it there. */
  async onModuleInit(): Promise<void> {
    await this.ready();
  }

  async load(key: string): Promise<SessionData | null> {
    const file = await this.fileOf(key);
    const stored = file === null ? null : await readLive(file);
    return stored === null ? null : decodeSessionData(stored);
  }

  async exists(key: string): Promise<boolean> {
    const file = await this.fileOf(key);
    const stats = file === null ? null : await statOf(file);
    return stats !== null && isLive(stats);
  }

  async create(write: SessionWrite): Promise<string> {
    const folder = await this.ready();
    const temp = await writeTemp(
      folder,
      JSON.stringify(write.data),
      expiryInstant(write.expiry),
    );
    try {
      return await this.claimNewKey((key) => {
        const file = this.acceptsKey(key) ? fileIn(folder, key) : null;
        if (file === null) {
          throw new SessionsError(SESSIONS_MESSAGES.keyNotAFileName());
        }
        return linkNew(temp, file);
      });
    } finally {
      await removeFile(temp);
    }
  }

  save(key: string, write: SessionWrite): Promise<string | null> {
    return this.queue.run(key, async () => {
      const file = await this.fileOf(key);
      const stored = file === null ? null : await readLive(file);
      if (stored === null) {
        return null;
      }
      const data = applySessionChanges(parseSessionData(stored), write.changes);
      const temp = await writeTemp(
        dirname(file!),
        JSON.stringify(data),
        expiryInstant(write.expiry),
      );
      try {
        await rename(temp, file!);
      } catch (error) {
        await removeFile(temp);
        throw error;
      }
      return key;
    });
  }

  delete(key: string): Promise<boolean> {
    return this.queue.run(key, async () => {
      const file = await this.fileOf(key);
      return file !== null && (await removeFile(file));
    });
  }

  deleteIfEmpty(key: string): Promise<boolean> {
    return this.queue.run(key, async () => {
      const file = await this.fileOf(key);
      const stored = file === null ? null : await readStored(file);
      const data = stored === null ? null : parseSessionData(stored);
      return (
        data !== null &&
        Object.keys(data).length === 0 &&
        (await removeFile(file!))
      );
    });
  }

  /**
   * Removes the expired session files, and temporary files a crash left
   * behind over an hour ago; returns how many sessions it removed.
   */
  async clearExpired(): Promise<number> {
    const folder = await this.ready();
    const staleBefore = Date.now() - STALE_TEMP_MS;
    let cleared = 0;
    for await (const entry of await opendir(folder)) {
      const { name } = entry;
      if (name.startsWith(SESSION_FILE_PREFIX)) {
        const key = name.slice(SESSION_FILE_PREFIX.length);
        if (this.acceptsKey(key) && (await this.removeIfExpired(folder, key))) {
          cleared++;
        }
      } else if (name.startsWith(TEMP_FILE_PREFIX)) {
        const file = join(folder, name);
        // Its access time is when it was written (its modification time is
        // the expiry of the session it will become).
        const stats = await statOf(file);
        if (stats !== null && stats.atimeMs < staleBefore) {
          await removeFile(file);
        }
      }
    }
    return cleared;
  }

  /** Removes the session's file if it has expired, after any save of it in progress here. */
  private removeIfExpired(folder: string, key: string): Promise<boolean> {
    return this.queue.run(key, async () => {
      const file = fileIn(folder, key)!;
      const stats = await statOf(file);
      return stats !== null && !isLive(stats) && (await removeFile(file));
    });
  }

  /** The file of the session `key`, or `null` for a key that cannot name one. */
  private async fileOf(key: string): Promise<string | null> {
    return this.acceptsKey(key) ? fileIn(await this.ready(), key) : null;
  }

  /** The folder's real path, once it is made and checked. */
  private ready(): Promise<string> {
    this.folder ??= prepareSessionFolder(this.options.path).catch(
      (error: unknown) => {
        this.folder = undefined;
        throw error;
      },
    );
    return this.folder;
  }
}

/**
 * The path of the session file of `key` in `folder`; `null` unless it is a
 * file directly in the folder (a second guard, after `acceptsKey()`).
 */
function fileIn(folder: string, key: string): string | null {
  const name = `${SESSION_FILE_PREFIX}${key}`;
  const file = join(folder, name);
  return dirname(file) === folder && basename(file) === name ? file : null;
}

/** The stored text of a live session file; `null` if there is none or it expired. */
async function readLive(file: string): Promise<string | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, READ_FLAGS);
  } catch (error) {
    if (isMissing(error)) {
      return null;
    }
    throw error;
  }
  try {
    // The handle's file: a save renames a new one into place, never writes
    // into this one, so its time and its text belong together.
    const stats = await handle.stat();
    if (!stats.isFile() || !isLive(stats)) {
      return null;
    }
    return await handle.readFile({ encoding: 'utf8' });
  } finally {
    await handle.close();
  }
}

/** The stored text of a session file, live or expired; `null` if there is none. */
async function readStored(file: string): Promise<string | null> {
  try {
    return await readFile(file, { encoding: 'utf8', flag: READ_FLAGS });
  } catch (error) {
    if (isMissing(error)) {
      return null;
    }
    throw error;
  }
}

/** Writes a new temporary file in `folder`, expiring at `expiresAt`; returns its path. */
async function writeTemp(
  folder: string,
  text: string,
  expiresAt: number,
): Promise<string> {
  const temp = join(
    folder,
    `${TEMP_FILE_PREFIX}${randomBytes(12).toString('hex')}`,
  );
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    // The modification time is the session's expiry; the access time, when
    // it was written, tells a temporary file a crash left behind.
    await handle.utimes(new Date(), new Date(expiresAt));
  } catch (error) {
    await handle.close();
    await removeFile(temp);
    throw error;
  }
  await handle.close();
  return temp;
}

/** Links `temp` at `file` unless a file is there; returns whether it did. */
async function linkNew(temp: string, file: string): Promise<boolean> {
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw error;
  }
}

/** Removes `file`; returns whether there was one. */
async function removeFile(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw error;
  }
}

/** The file's own metadata (a link is not followed); `null` if there is none. */
async function statOf(file: string): Promise<Stats | null> {
  try {
    return await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
}

/** A session file whose expiry (its modification time) is still ahead. */
function isLive(stats: Stats): boolean {
  return stats.isFile() && stats.mtimeMs > Date.now();
}

/** No file there, or a symbolic link where a session file should be. */
function isMissing(error: unknown): boolean {
  const { code } = error as NodeJS.ErrnoException;
  return code === 'ENOENT' || code === 'ELOOP';
}

/**
 * Makes the `'file'` store's folder if it is missing (readable by this user
 * only), and returns its real path (symbolic links resolved once, so they
 * cannot be switched under the store later). Throws
 * `SessionsConfigurationError` if it cannot be made or is a file, or, on POSIX
 * systems, if it belongs to another user or others may write in it: whoever
 * can write there can plant a session file and forge a session.
 */
export async function prepareSessionFolder(path: string): Promise<string> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new SessionsConfigurationError([
      code === 'EEXIST' || code === 'ENOTDIR'
        ? SESSIONS_MESSAGES.folderIsAFile(path)
        : SESSIONS_MESSAGES.folderCannotBeMade(path, message),
    ]);
  }
  const real = await realpath(path);
  const stats = await stat(real);
  const problems: string[] = [];
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    problems.push(SESSIONS_MESSAGES.folderOfAnotherUser(path, stats.uid, uid));
  }
  if (uid !== undefined && (stats.mode & 0o022) !== 0) {
    problems.push(
      SESSIONS_MESSAGES.folderWritableByOthers(
        path,
        (stats.mode & 0o777).toString(8),
      ),
    );
  }
  if (problems.length > 0) {
    throw new SessionsConfigurationError(problems);
  }
  return real;
}
