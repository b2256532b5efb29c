import { TypeOrmSessionStore } from 'nest-sessions';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import { TestDatabase } from './support/test-database.js';

/** A 1 in 36^32 event, made to happen: candidate keys come from a queue. */
class QueuedKeysStore extends TypeOrmSessionStore {
  readonly queue: string[] = [];

  protected override newSessionKey(): string {
    return this.queue.shift() ?? super.newSessionKey();
  }
}

/** Create is an INSERT that never overwrites: on a key collision it takes another key. */
describe('A session key collision on create', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: QueuedKeysStore;
  const taken = 'a'.repeat(32);
  const write = {
    data: { mine: true },
    changes: { set: {}, removed: [], replaced: false, increments: {} },
    expiry: 60,
  };

  beforeAll(async () => {
    database = await TestDatabase.create();
    dataSource = await new DataSource(
      typeOrmOptions(database.url),
    ).initialize();
    store = new QueuedKeysStore(dataSource);
    await database.query(
      `INSERT INTO session VALUES ($1, '{"theirs": true}', now() + interval '1 hour')`,
      [taken],
    );
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('retries with a new key and leaves the other session alone', async () => {
    store.queue.push(taken, 'b'.repeat(32));
    expect(await store.create(write)).toBe('b'.repeat(32));
    expect(await database.sessionData(taken)).toEqual({ theirs: true });
    expect(await database.sessionData('b'.repeat(32))).toEqual({ mine: true });
  });

  it('collides with an expired row too, without taking it over', async () => {
    const expired = 'c'.repeat(32);
    await database.query(
      `INSERT INTO session VALUES ($1, '{"old": true}', now() - interval '1 hour')`,
      [expired],
    );
    store.queue.push(expired, 'd'.repeat(32));
    expect(await store.create(write)).toBe('d'.repeat(32));
    expect(await database.sessionData(expired)).toEqual({ old: true });
  });

  it('gives up after ten collisions in a row: the random source is broken', async () => {
    store.queue.push(...Array<string>(10).fill(taken));
    await expect(store.create(write)).rejects.toThrow(
      'Could not find a free session key in 10 attempts: is the random number source broken?',
    );
    expect(store.queue).toEqual([]);
  });
});
