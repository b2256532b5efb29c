import { SessionEntity, type Session } from 'nest-sessions';
import { ConflictException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Adds what a visitor makes (notes, uploads) to their session, so that the
 * nightly cleanup cannot miss it: the session row is held (FOR SHARE) while
 * the new rows are written, and must still be live. A cleanup deleting the
 * session waits for the transaction to commit, then its
 * `@OnSessionsExpired()` handler finds the new rows too.
 */
@Injectable()
export class VisitorDataService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` with the key of the visitor's session (saved first if it is
   * new), in a transaction that holds the session. Throws a 409 when the
   * session ended meanwhile.
   */
  async addToSession<T>(
    session: Session,
    work: (sessionKey: string, manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    if (session.sessionKey === null) {
      // An anonymous visitor's first creation: the session needs a key.
      session.setDefault('visitorSince', new Date().toISOString());
      await session.save();
    }
    const sessionKey = session.sessionKey!;
    return this.dataSource.transaction(async (manager) => {
      const live = await manager
        .getRepository(SessionEntity)
        .createQueryBuilder('session')
        .select('session.sessionKey')
        .where({ sessionKey })
        .andWhere('session.expireDate > now()')
        .setLock('pessimistic_read')
        .getOne();
      if (live === null) {
        throw new ConflictException(
          'Your session ended while this was sent; reload the page and try again.',
        );
      }
      return work(sessionKey, manager);
    });
  }
}
