import { TypeOrmSessionStore } from 'nest-sessions';
import { describeSessionStoreContract } from 'nest-sessions/testing';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import { TestDatabase } from './support/test-database.js';
import { expectOneCorruptDataWarning } from './support/corrupt-data-warning.js';

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

expectOneCorruptDataWarning();
