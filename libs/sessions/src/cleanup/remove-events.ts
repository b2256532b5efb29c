import type {
  EntityMetadata,
  EntitySubscriberInterface,
  QueryRunner,
  RemoveEvent,
} from 'typeorm';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';

/** `beforeRemove` or `afterRemove`. */
export type RemovePhase = 'before' | 'after';

/**
 * Fires TypeORM's `beforeRemove` or `afterRemove` for each of `sessions`, as
 * the query runner's broadcaster does for `remove()`: for each entity, its
 * `@BeforeRemove`/`@AfterRemove` listeners, then every subscriber that
 * listens to the entity, with the same event `remove()` gives them.
 *
 * A handler that returns a promise is waited for before the next one is
 * called: they all share the batch's one connection, and a handler that
 * queries through `event.manager` while another's query runs would make pg
 * queue it (deprecated in pg 8, refused by pg 9).
 *
 * The broadcaster works out which subscribers listen, and the entity's id
 * (twice), for every call; here that is done once per batch and once per
 * session: that was most of what the events cost.
 */
export async function fireRemoveEvents(
  runner: QueryRunner,
  metadata: EntityMetadata,
  sessions: readonly AbstractSessionEntity[],
  phase: RemovePhase,
): Promise<void> {
  const listeners =
    phase === 'before'
      ? metadata.beforeRemoveListeners
      : metadata.afterRemoveListeners;
  const method = phase === 'before' ? 'beforeRemove' : 'afterRemove';
  const subscribers = runner.dataSource.subscribers.filter(
    (subscriber) =>
      listensTo(subscriber, metadata.target) && method in subscriber,
  );
  const { dataSource, manager } = runner;
  for (const session of sessions) {
    for (const listener of listeners) {
      if (listener.isAllowed(session)) {
        const pending = thenable(listener.execute(session));
        if (pending) await pending;
      }
    }
    if (subscribers.length === 0) {
      continue;
    }
    const event: RemoveEvent<AbstractSessionEntity> = {
      dataSource,
      connection: dataSource,
      queryRunner: runner,
      manager,
      entity: session,
      metadata,
      databaseEntity: session,
      entityId: idOf(metadata, session),
    };
    for (const subscriber of subscribers) {
      const pending = thenable(subscriber[method]?.(event));
      if (pending) await pending;
    }
  }
}

/**
 * A handler's result to wait for: a promise or any thenable (one from
 * another promise library included); `undefined` for a plain value, which
 * then costs no turn of the event loop.
 */
function thenable(result: unknown): PromiseLike<unknown> | undefined {
  return typeof (result as { then?: unknown } | null | undefined)?.then ===
    'function'
    ? (result as PromiseLike<unknown>)
    : undefined;
}

/** What the broadcaster checks before it calls a subscriber. */
function listensTo(
  subscriber: EntitySubscriberInterface,
  target: EntityMetadata['target'],
): boolean {
  const listened = subscriber.listenTo?.() as unknown;
  return (
    !listened ||
    listened === Object ||
    listened === target ||
    (typeof listened === 'function' &&
      Object.prototype.isPrototypeOf.call(listened, target))
  );
}

/** The entity's id as events carry it: the key, or a map of a composite key. */
function idOf(
  metadata: EntityMetadata,
  session: AbstractSessionEntity,
): unknown {
  return metadata.hasMultiplePrimaryKeys
    ? metadata.getEntityIdMixedMap(session)
    : metadata.primaryColumns[0].getEntityValue(session);
}
