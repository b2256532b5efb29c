import {
  OnSessionsExpired,
  type SessionsExpiredEvent,
  type SessionsModuleOptions,
  SessionEntity,
  SessionsModule,
} from 'nest-sessions';
import {
  Injectable,
  type LoggerService,
  type Provider,
  type Type,
} from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  type EntitySubscriberInterface,
  EventSubscriber,
  type RemoveEvent,
} from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options.js';
import { silentLogger } from './sessions-testing-module.js';
import type { TestDatabase } from './test-database.js';

/** The cleanup's two modes, for tests that hold in both. */
export const CLEANUP_MODES = ['raw', 'events'] as const;

/** Every batch an `@OnSessionsExpired()` handler saw. */
@Injectable()
export class ExpiredKeysRecorder {
  readonly batches: string[][] = [];

  @OnSessionsExpired()
  record({ keys }: SessionsExpiredEvent): void {
    this.batches.push([...keys]);
  }
}

/** Every remove event TypeORM fired for a session, in order. */
export const removeEvents: { event: string; key: string | undefined }[] = [];

/** What `RecordingSessionSubscriber` does besides recording; reset it after each test. */
export const subscriberBehaviour: {
  /** Write each row in `beforeRemove`, in the batch's transaction. */
  touchRow: boolean;
  /** Called in `beforeRemove`, after recording. */
  beforeRemove?: (event: RemoveEvent<SessionEntity>) => Promise<void>;
} = { touchRow: false };

/** Records `beforeRemove`/`afterRemove` of sessions into `removeEvents`. */
@EventSubscriber()
export class RecordingSessionSubscriber implements EntitySubscriberInterface<SessionEntity> {
  listenTo(): typeof SessionEntity {
    return SessionEntity;
  }
  async beforeRemove(event: RemoveEvent<SessionEntity>): Promise<void> {
    removeEvents.push({ event: 'before', key: event.entity?.sessionKey });
    if (subscriberBehaviour.touchRow) {
      await event.manager.query(
        `UPDATE session SET session_data = '{"touched": true}' WHERE session_key = $1`,
        [event.entity?.sessionKey],
      );
    }
    await subscriberBehaviour.beforeRemove?.(event);
  }
  afterRemove(event: RemoveEvent<SessionEntity>): void {
    removeEvents.push({ event: 'after', key: event.entity?.sessionKey });
  }
}

/**
 * Empties `removeEvents` and has `RecordingSessionSubscriber` only record
 * again; call it before each test.
 */
export function resetRemoveEvents(): void {
  removeEvents.length = 0;
  subscriberBehaviour.touchRow = false;
  subscriberBehaviour.beforeRemove = undefined;
}

export interface CleanupAppOptions {
  sessions?: SessionsModuleOptions;
  providers?: Provider[];
  logger?: LoggerService;
  /** Import `ScheduleModule.forRoot()`. @default true */
  schedule?: boolean;
  /** Entities besides the demo's. */
  entities?: Type[];
  /** TypeORM subscribers besides `RecordingSessionSubscriber`. */
  subscribers?: Type[];
}

/** An app without HTTP: TypeORM with the recording subscriber, SessionsModule, `providers`. */
export async function createCleanupApp(
  database: TestDatabase,
  options: CleanupAppOptions = {},
): Promise<TestingModule> {
  const logger = options.logger ?? silentLogger;
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        ...typeOrmOptions(database.url),
        entities: [SessionEntity, ...(options.entities ?? [])],
        subscribers: [
          RecordingSessionSubscriber,
          ...(options.subscribers ?? []),
        ],
      }),
      ...(options.schedule === false ? [] : [ScheduleModule.forRoot()]),
      SessionsModule.forRoot(options.sessions),
    ],
    providers: options.providers ?? [],
  })
    .setLogger(logger)
    .compile();
  try {
    return await moduleRef.init();
  } catch (error) {
    await moduleRef.close();
    throw error;
  }
}

/**
 * `open(options)` for a test file: a cleanup app on the file's database,
 * closed after each test. Call it inside `describe`.
 */
export function cleanupAppOpener(
  database: () => TestDatabase,
): (options?: CleanupAppOptions) => Promise<TestingModule> {
  const opened: TestingModule[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((app) => app.close()));
  });
  return async (options = {}) => {
    const app = await createCleanupApp(database(), options);
    opened.push(app);
    return app;
  };
}

/**
 * Inserts `count` sessions whose keys start with `prefix`, expiring
 * `expiresIn` from the database's now (negative: already expired), spread
 * one millisecond apart.
 */
export async function seedSessions(
  database: TestDatabase,
  prefix: string,
  count: number,
  expiresIn: string,
): Promise<string[]> {
  const rows = await database.query<{ key: string }>(
    `INSERT INTO session (session_key, session_data, expire_date)
     SELECT $1 || lpad(i::text, 6, '0'), '{"n": 1}'::jsonb,
            now() + $3::interval + i * interval '1 millisecond'
     FROM generate_series(1, $2::int) AS i
     RETURNING session_key AS key`,
    [prefix, count, expiresIn],
  );
  return rows.map((row) => row.key).sort();
}

/** Keys of the sessions left in the table, sorted. */
export async function remainingKeys(database: TestDatabase): Promise<string[]> {
  const rows = await database.query<{ key: string }>(
    'SELECT session_key AS key FROM session ORDER BY session_key',
  );
  return rows.map((row) => row.key);
}
