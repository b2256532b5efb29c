import { TypeOrmSessionStore } from 'nest-sessions';
import { describeSessionStoreContract } from 'nest-sessions/testing';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import { TestDatabase } from './support/test-database.js';
import { Logger } from '@nestjs/common';
import { RecordingLogger } from './support/recording-logger.js';

// The contract's corrupt-data case warns: recorded, and checked at the end.
const logger = new RecordingLogger();
Logger.overrideLogger(logger);

describeSessionStoreContract("'db' (TypeOrmSessionStore)", async () => {
  const database = await TestDatabase.create();
  const dataSource = await new DataSource(
    typeOrmOptions(database.url),
  ).initialize();
  return {
    store: new TypeOrmSessionStore(dataSource),
    corrupt: async (key) => {
      await database.query(
        `UPDATE session SET session_data = '"not an object"' WHERE session_key = $1`,
        [key],
      );
      return key;
    },
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
});

it('logged the corrupt session once, as a warning', () => {
  expect(logger.lines).toEqual([
    expect.objectContaining({
      level: 'warn',
      message: expect.stringMatching(/^Session data corrupted/),
    }),
  ]);
});
