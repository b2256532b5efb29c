import { rename, rm } from 'node:fs/promises';
import { SessionEntity, type Session, SessionService } from 'nest-sessions';
import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Note } from '../notes/note.entity.js';
import { Upload } from '../uploads/upload.entity.js';
import { UploadsFolder } from '../uploads/uploads-folder.js';

/**
 * Adds what a visitor makes (notes, uploads) to their session so that the
 * cleanup never leaves it behind. The session row is updated (to itself)
 * in the same transaction as the new rows, and must still be live: a
 * cleanup deleting the session meanwhile waits for that transaction, then
 * either sees the session changed and takes the batch again (events mode,
 * REPEATABLE READ) or re-reads it (raw mode, READ COMMITTED); either way
 * its `@OnSessionsExpired()` handler then finds the new rows too.
 */
@Injectable()
export class VisitorDataService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly uploads: UploadsFolder,
    private readonly sessions: SessionService,
  ) {}

  /**
   * What the visitor's data is keyed by: their session's key as the store
   * keeps it, which the cleanup's handlers receive (with `hashKeys`, its
   * hash); `null` for a session not stored yet.
   */
  keyOf(session: Session): string | null {
    return this.sessions.storedKeyOf(session);
  }

  /** `keyOf()` the visitor's session, saved first if it is new. */
  async keyOfSaved(session: Session): Promise<string> {
    if (session.sessionKey === null) {
      // An anonymous visitor's first creation: the session needs a key.
      session.setDefault('visitorSince', new Date().toISOString());
      await session.save();
    }
    return this.keyOf(session)!;
  }

  /**
   * Runs `work` in a transaction that holds the live session stored under
   * `sessionKey` (`keyOf()`).
   * Throws a 409 when the session has ended.
   */
  async addToSession<T>(
    sessionKey: string,
    work: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const { affected } = await manager
        .createQueryBuilder()
        .update(SessionEntity)
        .set({ expireDate: () => 'expire_date' })
        .where({ sessionKey })
        .andWhere('expire_date > now()')
        .execute();
      if (affected !== 1) {
        throw new ConflictException(
          'Your session ended while this was sent; reload the page and try again.',
        );
      }
      return work(manager);
    });
  }

  /**
   * After a login's `cycleKey()`: the visitor's notes and files follow them
   * to the session's new key (the cleanup only ever sees keys of sessions
   * that expire, so data left under the old key would stay forever).
   */
  async moveToSession(fromKey: string, toKey: string): Promise<void> {
    await this.addToSession(toKey, async (manager) => {
      await manager.update(
        Note,
        { sessionKey: fromKey },
        { sessionKey: toKey },
      );
      await manager.update(
        Upload,
        { sessionKey: fromKey },
        { sessionKey: toKey },
      );
    });
    await rename(this.uploads.of(fromKey), this.uploads.of(toKey)).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') {
          throw error;
        }
      },
    );
  }

  /** Before a logout's `flush()`: what the visitor made goes with their session. */
  async removeSessionData(sessionKey: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.delete(Note, { sessionKey });
      await manager.delete(Upload, { sessionKey });
    });
    await rm(this.uploads.of(sessionKey), { recursive: true, force: true });
  }
}
