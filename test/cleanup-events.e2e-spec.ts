import {
  AbstractSessionEntity,
  CleanupConflictError,
  CleanupService,
  OnSessionsExpired,
  SessionEntity,
} from 'nest-sessions';
import { Injectable } from '@nestjs/common';
import {
  BeforeRemove,
  Column,
  DataSource,
  Entity,
  type RemoveEvent,
} from 'typeorm';
import {
  cleanupAppOpener,
  ExpiredKeysRecorder,
  remainingKeys,
  removeEvents,
  seedSessions,
  subscriberBehaviour,
} from './support/cleanup-testing.js';
import { TestDatabase } from './support/test-database.js';

/** Fails the second batch it sees. */
@Injectable()
class FailingHandler {
  calls = 0;

  @OnSessionsExpired()
  fail(): void {
    if (++this.calls === 2) {
      throw new Error('the handler failed');
    }
  }
}

/** The entities `AppSession`'s own listener was given. */
const appSessionsRemoved: AppSession[] = [];

/** An app's session entity with columns of its own, of several types. */
@Entity('app_session')
class AppSession extends AbstractSessionEntity {
  @Column({ type: 'bigint', nullable: true })
  userId!: string | null;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ type: 'int' })
  visits!: number;

  @Column({ type: 'boolean' })
  staff!: boolean;

  @Column({ type: 'date', nullable: true })
  seenOn!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastSeen!: Date | null;

  @BeforeRemove()
  recordRemoval(): void {
    appSessionsRemoved.push(this);
  }
}

const keysOf = (event: 'before' | 'after'): (string | undefined)[] =>
  removeEvents.filter((e) => e.event === event).map((e) => e.key);

describe("CleanupService in 'events' mode", () => {
  let database: TestDatabase;
  const open = cleanupAppOpener(() => database);

  /** Sets the expiry of `key` a day ahead, from a connection of its own. */
  async function extendElsewhere(key: string): Promise<void> {
    await database.query(
      `UPDATE session SET expire_date = now() + interval '1 day' WHERE session_key = $1`,
      [key],
    );
  }

  beforeAll(async () => {
    database = await TestDatabase.create();
    await database.query(
      `CREATE TABLE app_session (
         session_key varchar(40) PRIMARY KEY, session_data jsonb NOT NULL,
         expire_date timestamptz NOT NULL, "userId" bigint, tags text[] NOT NULL,
         visits int NOT NULL, staff boolean NOT NULL, "seenOn" date, "lastSeen" timestamptz)`,
    );
  });

  beforeEach(async () => {
    await database.query('TRUNCATE session, app_session');
    removeEvents.length = 0;
    appSessionsRemoved.length = 0;
    subscriberBehaviour.beforeRemove = undefined;
  });

  afterAll(async () => {
    await database.drop();
  });

  it('redoes a batch whose sessions another transaction changed after it loaded them', async () => {
    const keys = await seedSessions(database, 'gone', 12, '-1 hour');
    // In the second batch of five.
    const extended = keys[6];
    let changed = false;
    subscriberBehaviour.beforeRemove = async (event) => {
      if (!changed && event.entity?.sessionKey === extended) {
        changed = true;
        await extendElsewhere(extended);
      }
    };
    const app = await open({ providers: [ExpiredKeysRecorder] });

    const result = await app
      .get(CleanupService)
      .run({ mode: 'events', batchSize: 5 });

    const deleted = keys.filter((key) => key !== extended);
    expect(result).toMatchObject({ deleted: 11, batches: 3 });
    expect(await remainingKeys(database)).toEqual([extended]);
    expect(keysOf('after').sort()).toEqual(deleted);
    expect(app.get(ExpiredKeysRecorder).batches.flat().sort()).toEqual(deleted);
    // The second batch fired beforeRemove for its five sessions, was rolled
    // back, then fired it again for the four still expired.
    expect(keysOf('before')).toHaveLength(5 + 5 + 4 + 2);
  });

  it('gives up on a batch that keeps conflicting after three tries, and keeps its sessions', async () => {
    const keys = await seedSessions(database, 'gone', 4, '-1 hour');
    subscriberBehaviour.beforeRemove = async (event) => {
      if (event.entity?.sessionKey === keys[0]) {
        await database.query(
          `UPDATE session SET session_data = '{"n": 2}' WHERE session_key = $1`,
          [keys[0]],
        );
      }
    };
    const app = await open();

    const running = app.get(CleanupService).run({ mode: 'events' });

    await expect(running).rejects.toBeInstanceOf(CleanupConflictError);
    await expect(running).rejects.toThrow(
      'Sessions of a cleanup batch were changed by another transaction while the batch deleted them; ' +
        'the batch was rolled back and its sessions stay for the next run.',
    );
    expect(await remainingKeys(database)).toEqual(keys);
    expect(keysOf('before')).toHaveLength(3 * 4);
    expect(keysOf('after')).toEqual([]);
  });

  it('keeps a session a beforeRemove listener extends, with no afterRemove and no handler key for it', async () => {
    const keys = await seedSessions(database, 'gone', 6, '-1 hour');
    const kept = keys[2];
    subscriberBehaviour.beforeRemove = async (event) => {
      if (event.entity?.sessionKey === kept) {
        await event.manager.query(
          `UPDATE session SET expire_date = now() + interval '1 day' WHERE session_key = $1`,
          [kept],
        );
      }
    };
    const app = await open({ providers: [ExpiredKeysRecorder] });

    const result = await app
      .get(CleanupService)
      .run({ mode: 'events', batchSize: 4 });

    const deleted = keys.filter((key) => key !== kept);
    expect(result.deleted).toBe(5);
    expect(await remainingKeys(database)).toEqual([kept]);
    expect(keysOf('after').sort()).toEqual(deleted);
    expect(app.get(ExpiredKeysRecorder).batches.flat().sort()).toEqual(deleted);
  });

  it('gives subscribers the entities and the event that remove() gives them', async () => {
    await seedSessions(database, 'gone', 3, '-1 hour');
    await database.query(
      `UPDATE session SET session_data = '{"cart": [1, "two", {"three": null}], "name": "Zoë \\"Z\\""}'`,
    );
    const app = await open();
    const dataSource = app.get(DataSource);
    const expected = await dataSource
      .getRepository(SessionEntity)
      .find({ order: { sessionKey: 'ASC' } });
    const events: RemoveEvent<SessionEntity>[] = [];
    const inTransaction: boolean[] = [];
    subscriberBehaviour.beforeRemove = (event) => {
      events.push(event);
      inTransaction.push(event.queryRunner.isTransactionActive);
      return Promise.resolve();
    };

    await app.get(CleanupService).run({ mode: 'events' });

    events.sort((a, b) =>
      String(a.entity?.sessionKey).localeCompare(String(b.entity?.sessionKey)),
    );
    expect(events.map((event) => event.entity)).toStrictEqual(expected);
    for (const event of events) {
      expect(event.entityId).toBe(event.entity?.sessionKey);
      expect(event.databaseEntity).toStrictEqual(event.entity);
      expect(event.metadata).toBe(dataSource.getMetadata(SessionEntity));
      expect(event.dataSource).toBe(dataSource);
      expect(event.manager).toBe(event.queryRunner.manager);
    }
    expect(inTransaction).toEqual([true, true, true]);
  });

  it("waits for each handler before the next, so that their queries never share the batch's connection at once", async () => {
    await seedSessions(database, 'gone', 4, '-1 hour');
    const app = await open();
    let running = 0;
    let mostAtOnce = 0;
    subscriberBehaviour.beforeRemove = async (event) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await event.manager.query('SELECT 1');
      running--;
    };

    const result = await app.get(CleanupService).run({ mode: 'events' });

    expect(result.deleted).toBe(4);
    expect(mostAtOnce).toBe(1);
  });

  it("loads an app entity's own columns as TypeORM loads them", async () => {
    await database.query(
      `INSERT INTO app_session VALUES
         ('gone1', '{"a": 1}', now() - interval '1 hour', 9007199254740993,
          '{"plain", "with,comma", "with \\"quote\\"", NULL}', 3, true, '2026-02-28',
          '2026-11-11 09:14:00.123456+00'),
         ('gone2', '{}', now() - interval '2 hours', NULL, '{}', 0, false, NULL, NULL),
         ('live1', '{}', now() + interval '1 hour', 1, '{}', 0, false, NULL, NULL)`,
    );
    const app = await open({
      sessions: { entity: AppSession },
      entities: [AppSession],
    });
    const expected = await app
      .get(DataSource)
      .getRepository(AppSession)
      .find({ where: [{ sessionKey: 'gone1' }, { sessionKey: 'gone2' }] });

    const result = await app.get(CleanupService).run({ mode: 'events' });

    expect(result.deleted).toBe(2);
    const byKey = (a: AppSession, b: AppSession): number =>
      a.sessionKey.localeCompare(b.sessionKey);
    expect(appSessionsRemoved.sort(byKey)).toStrictEqual(expected.sort(byKey));
    expect(appSessionsRemoved[0].userId).toBe('9007199254740993');
    expect(appSessionsRemoved[0].lastSeen).toEqual(
      new Date('2026-11-11T09:14:00.123Z'),
    );
    expect(await database.query('SELECT session_key FROM app_session')).toEqual(
      [{ session_key: 'live1' }],
    );
  });

  it('takes sessions tied at one instant once each when its connections are in different time zones', async () => {
    const tied = await seedSessions(database, 'tied', 7, '-1 hour');
    await database.query(
      `UPDATE session SET expire_date = date_trunc('second', now()) - interval '1 hour'`,
    );
    const app = await open();
    // Each pooled connection left in a time zone of its own, as an app's
    // SET TIME ZONE leaves one: the same instant reads differently on each.
    const zones = [
      'UTC',
      'Asia/Kolkata',
      'America/New_York',
      'Pacific/Auckland',
    ];
    const runners = zones.map(() => app.get(DataSource).createQueryRunner());
    await Promise.all(
      runners.map(async (runner, index) => {
        await runner.connect();
        await runner.query(`SET TIME ZONE '${zones[index]}'`);
      }),
    );
    await Promise.all(runners.map((runner) => runner.release()));

    const result = await app
      .get(CleanupService)
      .run({ mode: 'events', batchSize: 5 });

    expect(result).toMatchObject({ deleted: 7, batches: 2 });
    expect(keysOf('before').sort()).toEqual(tied);
    expect(await database.sessionCount()).toBe(0);
  });

  it('leaves no transaction open, after a run and after a failed one', async () => {
    const openTransactions = () =>
      database.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'`,
        [database.name],
      );
    await seedSessions(database, 'gone', 12, '-1 hour');
    const app = await open();

    await app.get(CleanupService).run({ mode: 'events', batchSize: 5 });
    expect(await database.sessionCount()).toBe(0);
    expect(await openTransactions()).toEqual([]);

    await seedSessions(database, 'again', 12, '-1 hour');
    const failing = await open({ providers: [FailingHandler] });
    await expect(
      failing.get(CleanupService).run({ mode: 'events', batchSize: 5 }),
    ).rejects.toThrow('the handler failed');
    expect(await database.sessionCount()).toBe(7);
    expect(await openTransactions()).toEqual([]);
  });
});
