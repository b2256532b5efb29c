import { ScheduleModule } from '@nestjs/schedule';
import { SessionsModule, type SessionsModuleOptions } from '@app/sessions';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options.js';
import {
  RequestGate,
  SessionProbeController,
} from './session-probe.controller.js';
import { silentLogger } from './sessions-testing-module.js';
import type { TestDatabase } from './test-database.js';

export interface TestAppOptions {
  sessions?: SessionsModuleOptions;
  logger?: LoggerService;
}

/**
 * A small app on a test database: TypeORM, SessionsModule with `sessions`,
 * and the routes of `SessionProbeController`.
 */
export async function createTestApp(
  database: TestDatabase,
  options: TestAppOptions = {},
): Promise<INestApplication> {
  const logger = options.logger ?? silentLogger;
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot(typeOrmOptions(database.url)),
      ScheduleModule.forRoot(),
      SessionsModule.forRoot(options.sessions),
    ],
    controllers: [SessionProbeController],
    providers: [RequestGate],
  })
    .setLogger(logger)
    .compile();
  const app = moduleRef.createNestApplication({ logger });
  return app.init();
}

/** The `Set-Cookie` headers of a response, always as an array. */
export function setCookies(headers: Record<string, unknown>): string[] {
  const value = headers['set-cookie'] as string | string[] | undefined;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The session key a response set, from its `Set-Cookie` header. */
export function sessionKeyFrom(
  headers: Record<string, unknown>,
  name = 'sessionid',
): string | undefined {
  for (const cookie of setCookies(headers)) {
    const match = new RegExp(`^${name}=([^;]*)`).exec(cookie);
    if (match) {
      return match[1];
    }
  }
  return undefined;
}
