/**
 * Runs one case of `npm run bench:cleanup` in a process of its own and prints
 * its figures as one JSON line. Started by `cleanup.ts`:
 *
 *   DATABASE_URL=... node --import @swc-node/register/esm-register bench/cleanup-case.ts <case>
 */
import 'reflect-metadata';
import {
  CleanupService,
  type CleanupResult,
  OnSessionsExpired,
  SessionEntity,
  type SessionsExpiredEvent,
  SessionsModule,
} from 'nest-sessions';
import {
  type DynamicModule,
  Injectable,
  type INestApplicationContext,
  Module,
} from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import pg from 'pg';
import {
  DataSource,
  type EntitySubscriberInterface,
  EventSubscriber,
  LessThan,
} from 'typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import { UploadsFolder } from '../src/uploads/uploads-folder.js';
import { VisitorDataCleanup } from '../src/visitor/visitor-data.cleanup.js';
import {
  CLEANUP_CASES,
  type CaseId,
  type CaseResult,
} from './cleanup-cases.js';

/** Every SQL statement the process sends while `recording` is on. */
const statements = {
  recording: false,
  count: 0,
  longestMs: 0,
  /** The start of the longest one's SQL, to tell which it was. */
  longest: '',
};

type Query = (this: pg.Client, ...args: unknown[]) => unknown;

/** The first words of a statement's SQL, whitespace folded. */
function sqlOf(query: unknown): string {
  const config = query as { text?: unknown } | null;
  const text =
    typeof query === 'string'
      ? query
      : typeof config?.text === 'string'
        ? config.text
        : '';
  return text.replace(/\s+/g, ' ').trim().slice(0, 80);
}

/**
 * Times each statement sent through `pg`'s `Client.prototype.query`, in its
 * promise form (TypeORM's query runners) and its callback form (`Pool.query`).
 */
function timeStatements(): void {
  // The bench's own child process only: pg offers no hook to time each
  // statement, and the library itself never patches pg (see eslint.config.js).
  // eslint-disable-next-line no-restricted-syntax
  const prototype = pg.Client.prototype as unknown as { query: Query };
  const { query } = prototype;
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (!statements.recording) {
      return query.apply(this, args);
    }
    const started = performance.now();
    const done = () => {
      statements.count += 1;
      const ms = performance.now() - started;
      if (ms > statements.longestMs) {
        statements.longestMs = ms;
        statements.longest = sqlOf(args[0]);
      }
    };
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (...results: unknown[]) => {
        done();
        (callback as (...results: unknown[]) => void)(...results);
      };
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    return result instanceof Promise ? result.finally(done) : result;
  };
}

/**
 * Samples resident memory every 10 ms from now on; the function returned
 * stops and says how far (in bytes) it rose above where it started.
 */
function sampleRssGrowth(): () => number {
  const start = process.memoryUsage.rss();
  let highest = start;
  const sample = () => {
    highest = Math.max(highest, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 10);
  return () => {
    clearInterval(timer);
    sample();
    return highest - start;
  };
}

/** Calls of the entity events, counted by a TypeORM subscriber. */
const removals = { before: 0, after: 0 };

@EventSubscriber()
class RemovalCountingSubscriber implements EntitySubscriberInterface<SessionEntity> {
  listenTo() {
    return SessionEntity;
  }

  beforeRemove(): void {
    removals.before += 1;
  }

  afterRemove(): void {
    removals.after += 1;
  }
}

/** Keys received by the no-op `@OnSessionsExpired()` handler. */
const hook = { keys: 0 };

@Injectable()
class ExpiredSessionsHook {
  @OnSessionsExpired()
  onSessionsExpired({ keys }: SessionsExpiredEvent): void {
    hook.keys += keys.length;
  }
}

/** The handlers of each case: the no-op hook, or the demo's own cleanup of its visitors' data. */
const CASE_PROVIDERS: Partial<Record<CaseId, DynamicModule['providers']>> = {
  'raw-hook': [ExpiredSessionsHook],
  visitors: [UploadsFolder, VisitorDataCleanup],
};

/** The same app for every case, with the case's handlers. */
@Module({})
class CleanupCaseModule {
  static forCase(id: CaseId, url: string): DynamicModule {
    return {
      module: CleanupCaseModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        TypeOrmModule.forRoot({
          ...typeOrmOptions(url),
          subscribers: [RemovalCountingSubscriber],
        }),
        SessionsModule.forRoot({
          cleanup: { enabled: false, mode: id === 'events' ? 'events' : 'raw' },
        }),
      ],
      providers: CASE_PROVIDERS[id] ?? [],
    };
  }
}

/** Deletes the expired sessions the case's way; resolves with how many. */
async function deleteExpired(
  id: CaseId,
  app: INestApplicationContext,
): Promise<number> {
  const dataSource = app.get(DataSource);
  switch (id) {
    case 'floor': {
      const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
      const { rowCount } = await pool.query(
        'DELETE FROM session WHERE expire_date < now()',
      );
      return rowCount ?? 0;
    }
    case 'raw':
    case 'raw-hook':
    case 'visitors':
      return ran(await app.get(CleanupService).run({ mode: 'raw' }));
    case 'events':
      return ran(await app.get(CleanupService).run({ mode: 'events' }));
    case 'naive': {
      const sessions = dataSource.getRepository(SessionEntity);
      const expired = await sessions.find({
        where: { expireDate: LessThan(new Date()) },
      });
      await sessions.remove(expired, { chunk: 100 });
      return expired.length;
    }
  }
}

function ran(result: CleanupResult): number {
  if (result.skipped !== null) {
    throw new Error(`The cleanup run was skipped: ${result.skipped}`);
  }
  if (result.afterCommitFailures > 0) {
    throw new Error(
      `@AfterSessionsExpired() failed for ${result.afterCommitFailures} batches`,
    );
  }
  return result.deleted;
}

/** Fails unless the counters agree with the rows deleted. */
function check(id: CaseId, deleted: number): void {
  const withEvents = id === 'events' || id === 'naive';
  const expected = withEvents ? deleted : 0;
  if (removals.before !== expected || removals.after !== expected) {
    throw new Error(
      `${id}: expected ${expected} beforeRemove and afterRemove calls, ` +
        `got ${removals.before} and ${removals.after} (${deleted} rows deleted)`,
    );
  }
  if (hook.keys !== (id === 'raw-hook' ? deleted : 0)) {
    throw new Error(
      `${id}: the @OnSessionsExpired() handler got ${hook.keys} keys for ${deleted} rows deleted`,
    );
  }
}

async function main(): Promise<void> {
  const id = process.argv[2] as CaseId;
  const url = process.env.DATABASE_URL;
  if (!CLEANUP_CASES.some((c) => c.id === id) || !url) {
    throw new Error(
      `Usage: DATABASE_URL=... cleanup-case.ts <${CLEANUP_CASES.map((c) => c.id).join('|')}>`,
    );
  }
  timeStatements();
  const app = await NestFactory.createApplicationContext(
    CleanupCaseModule.forCase(id, url),
    { logger: ['error'] },
  );
  try {
    const bootRssMb = process.resourceUsage().maxRSS / 1024;
    const rssGrowth = sampleRssGrowth();
    statements.recording = true;
    const started = performance.now();
    const deleted = await deleteExpired(id, app);
    const totalMs = performance.now() - started;
    statements.recording = false;
    const deletionRssGrowthMb = rssGrowth() / 2 ** 20;
    check(id, deleted);
    // What the run left reachable: with --expose-gc, after a full collection.
    (globalThis as { gc?: () => void }).gc?.();
    const heapAfterMb = process.memoryUsage().heapUsed / 2 ** 20;
    const result: CaseResult = {
      id,
      deleted,
      totalMs,
      statements: statements.count,
      longestStatementMs: statements.longestMs,
      longestStatement: statements.longest,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      bootRssMb,
      deletionRssGrowthMb,
      heapAfterMb,
      beforeRemove: removals.before,
      afterRemove: removals.after,
      hookKeys: hook.keys,
    };
    console.log(JSON.stringify(result));
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
