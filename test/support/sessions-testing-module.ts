import { ScheduleModule } from '@nestjs/schedule';
import { SessionsModule, type SessionsModuleOptions } from 'nest-sessions';
import type { LoggerService, Provider } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options.js';
import type { TestDatabase } from './test-database.js';

/** Nest's modules wired as an app would, on a test database, without HTTP. */
export async function sessionsTestingModule(
  database: TestDatabase,
  options: SessionsModuleOptions = {},
  logger: LoggerService | false = false,
  providers: Provider[] = [],
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot(typeOrmOptions(database.url)),
      ScheduleModule.forRoot(),
      SessionsModule.forRoot(options),
    ],
    providers,
  })
    .setLogger(logger === false ? silentLogger : logger)
    .compile();
  return moduleRef.init();
}

const silent = (): void => {};
export const silentLogger: LoggerService = {
  log: silent,
  error: silent,
  warn: silent,
  debug: silent,
  verbose: silent,
};
