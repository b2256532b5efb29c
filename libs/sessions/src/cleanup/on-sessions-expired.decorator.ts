import { SetMetadata } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Marks the methods `@OnSessionsExpired()` decorates. */
export const ON_SESSIONS_EXPIRED = 'SESSIONS:ON_SESSIONS_EXPIRED';

/** What an `@OnSessionsExpired()` method receives, once per cleanup batch. */
export interface SessionsExpiredEvent {
  /** Keys of the sessions deleted in this batch, each once. */
  readonly keys: readonly string[];
  /**
   * The batch's transaction: rows deleted through it go with the sessions,
   * or stay with them if anything in the batch fails.
   */
  readonly manager: EntityManager;
}

/**
 * Calls the decorated provider method once per cleanup batch, in both
 * cleanup modes, inside the batch's transaction, with the keys the batch
 * deleted. If it throws, the batch rolls back, the run stops, and those
 * sessions stay for the next run.
 *
 * ```ts
 * @Injectable()
 * export class CartCleanup {
 *   @OnSessionsExpired()
 *   async removeCarts({ keys, manager }: SessionsExpiredEvent) {
 *     await manager.delete(Cart, { sessionKey: In([...keys]) });
 *   }
 * }
 * ```
 *
 * The keys are secrets: statements built from them appear in TypeORM's
 * query log when it is on (`logging: true`).
 */
export const OnSessionsExpired = (): MethodDecorator =>
  SetMetadata(ON_SESSIONS_EXPIRED, true);
