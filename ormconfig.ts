import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { startLocalPostgres } from './src/database/local-postgres.js';
import { typeOrmOptions } from './src/database/typeorm-options.js';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:run`): the
 * PostgreSQL of DATABASE_URL, else the demo's embedded one in .data/postgres,
 * started for the command if it is not running, and stopped after it.
 */
const database = await startLocalPostgres({
  dataDir: '.data/postgres',
  database: 'nest_sessions',
  persistent: true,
});

class CommandDataSource extends DataSource {
  override async destroy(): Promise<void> {
    await super.destroy();
    await database.stop();
  }
}

export default new CommandDataSource(typeOrmOptions(database.url));
