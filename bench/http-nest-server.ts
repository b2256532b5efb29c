/**
 * A Nest server of `npm run bench:http`, in a process of its own, on Express:
 *
 *   DATABASE_URL=... node dist/bench/http-nest-server.js sessions|plain|...
 *
 * `sessions`: set up as the demo app is (TypeORM, ScheduleModule,
 * SessionsModule with its defaults), with only the public API, its routes
 * taking the session with `@CurrentSession()`, and a logged-in site's
 * routes (`POST /login`, `GET /me`, `POST /post` with a CSRF token). `sessions-current`: the
 * same, its routes calling an injected `SessionService.current()`.
 * `sessions-no-context`: as `sessions`, with `requestContext: false`.
 * `plain`: no session (the Nest ceiling), the same routes answering without
 * one. `typeorm`: as `sessions`, less SessionsModule.
 * Prints `{"port": N}` once it listens.
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CsrfGuard,
  CsrfService,
  CurrentSession,
  CurrentUserId,
  LoggedInGuard,
  type Session,
  SessionService,
  SessionsModule,
} from 'nest-sessions';
import {
  Controller,
  Get,
  type INestApplication,
  Module,
  Post,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';

/** A route that never touches the session. */
@Controller()
class NoneController {
  @Get('none')
  none() {
    return { ok: true };
  }
}

/** Routes that read and write the session. */
@Controller()
class SessionRoutesController {
  @Get('read')
  read(@CurrentSession() session: Session) {
    return { visits: session.get('visits', 0) };
  }

  @Get('write')
  write(@CurrentSession() session: Session) {
    const visits = session.get('visits', 0) + 1;
    session.set('visits', visits);
    return { visits };
  }
}

/**
 * A logged-in site's routes: a login that gives the CSRF token, a page for
 * logged-in users that only reads, and a CSRF-checked POST that writes.
 */
@Controller()
class LoggedInRoutesController {
  constructor(
    private readonly sessions: SessionService,
    private readonly csrf: CsrfService,
  ) {}

  @Post('login')
  async login(@CurrentSession() session: Session) {
    await this.sessions.login(session, 'bench-user');
    return { token: this.csrf.token(session) };
  }

  @Get('me')
  @UseGuards(LoggedInGuard)
  me(@CurrentUserId() userId: string) {
    return { userId };
  }

  @Post('post')
  @UseGuards(CsrfGuard)
  post(@CurrentSession() session: Session) {
    return { posts: session.increment('posts') };
  }
}

/** The same routes through an injected `SessionService.current()`. */
@Controller()
class CurrentSessionRoutesController {
  constructor(private readonly sessions: SessionService) {}

  @Get('read')
  async read() {
    const session = await this.sessions.current();
    return { visits: session.get('visits', 0) };
  }

  @Get('write')
  async write() {
    const session = await this.sessions.current();
    const visits = session.get('visits', 0) + 1;
    session.set('visits', visits);
    return { visits };
  }
}

/**
 * The same routes without a session, for the ceilings: the same route table
 * and the same loads as the sessions app, so that Nest's and V8's work on
 * them (route matching, call sites that see several handlers) is alike.
 */
@Controller()
class SessionlessRoutesController {
  private visits = 0;

  @Get('read')
  read() {
    return { visits: 0 };
  }

  @Get('write')
  write() {
    this.visits += 1;
    return { visits: this.visits };
  }
}

const ceilingControllers = [NoneController, SessionlessRoutesController];

@Module({ controllers: ceilingControllers })
class PlainModule {}

const appModules = [
  TypeOrmModule.forRoot(typeOrmOptions(process.env.DATABASE_URL ?? '')),
  ScheduleModule.forRoot(),
];

@Module({
  imports: [...appModules, SessionsModule.forRoot()],
  controllers: [
    NoneController,
    SessionRoutesController,
    LoggedInRoutesController,
  ],
})
class SessionsAppModule {}

@Module({
  imports: [...appModules, SessionsModule.forRoot()],
  controllers: [NoneController, CurrentSessionRoutesController],
})
class CurrentSessionAppModule {}

@Module({
  imports: [...appModules, SessionsModule.forRoot({ requestContext: false })],
  controllers: [NoneController, SessionRoutesController],
})
class NoContextAppModule {}

@Module({ imports: appModules, controllers: ceilingControllers })
class TypeOrmAppModule {}

const modules: Record<string, Type> = {
  plain: PlainModule,
  sessions: SessionsAppModule,
  'sessions-current': CurrentSessionAppModule,
  'sessions-no-context': NoContextAppModule,
  typeorm: TypeOrmAppModule,
};
const variant = process.argv[2];
const root = modules[variant];
if (!root) {
  throw new Error(
    `Usage: http-nest-server.js sessions|sessions-current|sessions-no-context|plain|typeorm, got '${variant}'`,
  );
}

const app = await NestFactory.create<INestApplication<Server>>(root, {
  logger: ['error', 'warn'],
});
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address() as AddressInfo;
console.log(JSON.stringify({ port }));
process.once('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});
