import { SessionEntity, TypeOrmSessionStore } from 'nest-sessions';
import { describeSessionStoreContract } from 'nest-sessions/testing';
import { DataSource } from 'typeorm';

// The store contract of nest-sessions/testing, under the app's own test
// runner (vitest, as Nest generates it).
describeSessionStoreContract(
  "'db' store from the installed package",
  async () => {
    const dataSource = await new DataSource({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      entities: [SessionEntity],
    }).initialize();
    return {
      store: new TypeOrmSessionStore(dataSource),
      corrupt: async (key) => {
        await dataSource.query(
          `UPDATE session SET session_data = '"not an object"' WHERE session_key = $1`,
          [key],
        );
        return key;
      },
      close: () => dataSource.destroy(),
    };
  },
);
