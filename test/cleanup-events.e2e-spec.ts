/**
 * @jest-environment <rootDir>/test/setup/process-warnings.environment.ts
 */
import {
  AbstractSessionEntity,
  CleanupConflictError,
  CleanupService,
  OnSessionsExpired,
  SessionEntity,
} from 'nest-sessions';
import { Injectable } from '@nestjs/common';
import {
  AfterRemove,
  BeforeRemove,
  Column,
  DataSource,
  Entity,
  type EntitySubscriberInterface,
  EventSubscriber,
  type RemoveEvent,
} from 'typeorm';
import {
  cleanupAppOpener,
  ExpiredKeysRecorder,
  remainingKeys,
  removeEvents,
  resetRemoveEvents,
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

/** What the listeners of `ListenedSession` saw. */
const listened = { before: [] as string[], after: [] as string[] };

/** The session table, mapped by an app's entity with remove listeners. */
@Entity('session')
class ListenedSession extends AbstractSessionEntity {
  @BeforeRemove()
  recordBefore(): void {
    listened.before.push(this.sessionKey);
  }

  @AfterRemove()
  recordAfter(): void {
    listened.after.push(this.sessionKey);
  }
}

/**
 * The remove handlers of `AuditedSession` a run called, in order, and the
 * most of them that ran at once.
 */
const audit = {
  calls: [] as string[],
  running: 0,
  mostAtOnce: 0,
  /** Where the entity's own listeners query (they get no event, no manager). */
  dataSource: undefined as DataSource | undefined,
};

/** Runs one remove handler of `AuditedSession`, noting it in `audit`. */
async function audited(call: string, query: () => Promise<unknown>) {
  audit.calls.push(call);
  audit.running++;
  audit.mostAtOnce = Math.max(audit.mostAtOnce, audit.running);
  try {
    await query();
  } finally {
    audit.running--;
  }
}

/** The session table, mapped by an app's entity whose remove listeners query. */
@Entity('session')
class AuditedSession extends AbstractSessionEntity {
  @BeforeRemove()
  async auditBefore(): Promise<void> {
    await audited(`@BeforeRemove ${this.sessionKey}`, () =>
      audit.dataSource!.query('SELECT 1'),
    );
  }

  @AfterRemove()
  async auditAfter(): Promise<void> {
    await audited(`@AfterRemove ${this.sessionKey}`, () =>
      audit.dataSource!.query('SELECT 1'),
    );
  }
}

/** Queries through the batch's connection (`event.manager`) on each removal. */
@EventSubscriber()
class AuditedSessionSubscriber implements EntitySubscriberInterface<AuditedSession> {
  listenTo(): typeof AuditedSession {
    return AuditedSession;
  }
  async beforeRemove(event: RemoveEvent<AuditedSession>): Promise<void> {
    await audited(`beforeRemove ${event.entity?.sessionKey}`, () =>
      event.manager.query('SELECT 1'),
    );
  }
  async afterRemove(event: RemoveEvent<AuditedSession>): Promise<void> {
    await audited(`afterRemove ${event.entity?.sessionKey}`, () =>
      event.manager.query('SELECT 1'),
    );
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
    resetRemoveEvents();
    appSessionsRemoved.length = 0;
    listened.before.length = 0;
    listened.after.length = 0;
    audit.calls.length = 0;
    audit.running = 0;
    audit.mostAtOnce = 0;
    audit.dataSource = undefined;
  });

  afterAll(async () => {
    await database.drop();
  });

  /**
   * What the process warned of during the current test. pg warns of a
   * query sent on a client that already runs one and has another waiting
   * (handlers sharing a batch's connection at once), but once per test
   * file: whichever test of the file does so first fails here.
   */
  const warnings: string[] = [];
  const recordWarning = (warning: Error): void => {
    warnings.push(`${warning.name}: ${warning.message}`);
  };
  beforeAll(() => {
    process.on('warning', recordWarning);
  });
  beforeEach(() => {
    warnings.length = 0;
  });
  afterEach(() => {
    expect(warnings).toEqual([]);
  });
  afterAll(() => {
    process.off('warning', recordWarning);
  });

  describe('entity events', () => {
    it("fire for no session in 'raw' mode", async () => {
      await seedSessions(database, 'gone', 12, '-1 hour');
      const app = await open();

      await app.get(CleanupService).run({ mode: 'raw', batchSize: 5 });

      expect(await database.sessionCount()).toBe(0);
      expect(removeEvents).toEqual([]);
    });

    it("fire once before and once after removal for each session in 'events' mode", async () => {
      const expired = await seedSessions(database, 'gone', 12, '-1 hour');
      await seedSessions(database, 'live', 4, '1 hour');
      const app = await open();

      await app.get(CleanupService).run({ mode: 'events', batchSize: 5 });

      expect(keysOf('before').sort()).toEqual(expired);
      expect(keysOf('after').sort()).toEqual(expired);
      // Each batch: all its befores, the delete, then all its afters.
      expect(removeEvents).toHaveLength(24);
      expect(removeEvents.slice(0, 10).map((e) => e.event)).toEqual([
        ...Array<string>(5).fill('before'),
        ...Array<string>(5).fill('after'),
      ]);
    });
  });

  it("deletes rows a beforeRemove subscriber wrote to, in 'events' mode", async () => {
    const expired = await seedSessions(database, 'gone', 6, '-1 hour');
    subscriberBehaviour.touchRow = true;
    const app = await open({ providers: [ExpiredKeysRecorder] });

    const result = await app
      .get(CleanupService)
      .run({ mode: 'events', batchSize: 4 });

    expect(result.deleted).toBe(6);
    expect(await database.sessionCount()).toBe(0);
    const afters = removeEvents.filter((e) => e.event === 'after');
    expect(afters.map((e) => e.key).sort()).toEqual(expired);
    expect(app.get(ExpiredKeysRecorder).batches.flat().sort()).toEqual(expired);
  });

  it("fires the entity's own @BeforeRemove and @AfterRemove once per session in 'events' mode", async () => {
    const expired = await seedSessions(database, 'gone', 7, '-1 hour');
    await seedSessions(database, 'live', 2, '1 hour');
    const app = await open({
      sessions: { entity: ListenedSession },
      entities: [ListenedSession],
    });

    await app.get(CleanupService).run({ mode: 'events', batchSize: 3 });

    expect(listened.before.sort()).toEqual(expired);
    expect(listened.after.sort()).toEqual(expired);
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

  it("runs an entity's own async listeners and the subscribers of a batch one after another, and pg warns of no query sent while another ran", async () => {
    const keys = await seedSessions(database, 'gone', 6, '-1 hour');
    const app = await open({
      sessions: { entity: AuditedSession },
      entities: [AuditedSession],
      subscribers: [AuditedSessionSubscriber],
    });
    audit.dataSource = app.get(DataSource);

    // Batches of three: pg warns from the third query sent at once on one
    // client (the second only waits in its queue).
    const result = await app
      .get(CleanupService)
      .run({ mode: 'events', batchSize: 3 });

    expect(result).toMatchObject({ deleted: 6, batches: 2 });
    // As remove() does: for each session, the entity's listener, then the
    // subscriber; a batch's befores, its delete, then its afters.
    const handlersOf = (batch: string[]): string[] => [
      ...batch.flatMap((key) => [
        `@BeforeRemove ${key}`,
        `beforeRemove ${key}`,
      ]),
      ...batch.flatMap((key) => [`@AfterRemove ${key}`, `afterRemove ${key}`]),
    ];
    expect(audit.calls).toEqual([
      ...handlersOf(keys.slice(0, 3)),
      ...handlersOf(keys.slice(3)),
    ]);
    expect(audit.mostAtOnce).toBe(1);
    // Heard by the listener of every test of this file.
    expect(warnings).toEqual([]);
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
