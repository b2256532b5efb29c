import { ScheduleModule } from '@nestjs/schedule';
import {
  SessionsExceptionFilter,
  SessionsModule,
  type SessionsModuleOptions,
} from 'nest-sessions';
import type { INestApplication, LoggerService } from '@nestjs/common';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options.js';
import {
  RequestGate,
  SessionProbeController,
} from './session-probe.controller.js';
import { silentLogger } from './sessions-testing-module.js';
import type { TestDatabase } from './test-database.js';

/** The Nest HTTP adapters the library supports. */
export type HttpAdapterName = 'express' | 'fastify';

/** Every supported adapter, for `describe.each(HTTP_ADAPTERS)`. */
export const HTTP_ADAPTERS: readonly HttpAdapterName[] = ['express', 'fastify'];

export interface TestAppOptions {
  sessions?: SessionsModuleOptions;
  logger?: LoggerService;
  /** @default 'express' */
  adapter?: HttpAdapterName;
}

/**
 * A small app on a test database: TypeORM, SessionsModule with `sessions`,
 * and the routes of `SessionProbeController`, on the adapter asked for.
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
  return serveTestingModule(moduleRef, options.adapter ?? 'express', logger);
}

/**
 * The initialised app of a compiled testing module on `adapter`, with
 * `SessionsExceptionFilter` for the whole app as the README sets it up,
 * ready for supertest: a Fastify app is also made `ready()`, which
 * supertest's plain server does not wait for. With `trustProxy`, the
 * adapter believes `X-Forwarded-Proto` (an HTTPS request, for a test).
 */
export async function serveTestingModule(
  moduleRef: TestingModule,
  adapter: HttpAdapterName,
  logger: LoggerService = silentLogger,
  { trustProxy = false }: { trustProxy?: boolean } = {},
): Promise<INestApplication> {
  if (adapter === 'express') {
    const app = moduleRef.createNestApplication<NestExpressApplication>({
      logger,
    });
    app.set('trust proxy', trustProxy);
    app.useGlobalFilters(app.get(SessionsExceptionFilter));
    return app.init();
  }
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    new FastifyAdapter({ trustProxy }),
    { logger },
  );
  app.useGlobalFilters(app.get(SessionsExceptionFilter));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
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
