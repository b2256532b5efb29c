import { SetMetadata } from '@nestjs/common';

/** Marks the methods `@AfterSessionsExpired()` decorates. */
export const AFTER_SESSIONS_EXPIRED = 'SESSIONS:AFTER_SESSIONS_EXPIRED';

/** What an `@AfterSessionsExpired()` method receives, once per committed cleanup batch. */
export interface AfterSessionsExpiredEvent {
  /**
   * Keys of sessions deleted and committed: they are gone for good. The same
   * keys may come again after a crash or a failure, so the work must be
   * idempotent (removing what is already gone succeeds).
   */
  readonly keys: readonly string[];
}

/**
 * Calls the decorated provider method with the keys of each cleanup batch
 * once the batch has committed, in both cleanup modes, for work that cannot
 * roll back: files, objects in a bucket, a search index. Rows belong in
 * `@OnSessionsExpired()`, inside the batch's transaction.
 *
 * The keys go into the outbox table (`session_expired_outbox`, created by
 * `sessionMigrations`) in the batch's transaction, and leave it when every
 * `@AfterSessionsExpired()` method has returned. If one throws, or the
 * process dies first, the sessions stay deleted and the keys stay in the
 * outbox: the next run (cron, `clearsessions` or `CleanupService.run()`)
 * calls the methods with them again before it deletes anything. The run
 * logs the failure and counts it in `afterCommitFailures`.
 *
 * ```ts
 * @Injectable()
 * export class UploadsCleanup {
 *   @AfterSessionsExpired()
 *   async removeFiles({ keys }: AfterSessionsExpiredEvent) {
 *     for (const key of keys) {
 *       await rm(folderOf(key), { recursive: true, force: true });
 *     }
 *   }
 * }
 * ```
 */
export const AfterSessionsExpired = (): MethodDecorator =>
  SetMetadata(AFTER_SESSIONS_EXPIRED, true);
