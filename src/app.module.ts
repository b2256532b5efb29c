import {
  CsrfGuard,
  SessionsExceptionFilter,
  type SessionStoreName,
  SessionsModule,
} from 'nest-sessions';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountController } from './account/account.controller.js';
import { CounterController } from './counter/counter.controller.js';
import { typeOrmOptions } from './database/typeorm-options.js';
import { HealthController } from './health/health.controller.js';
import { IndexController } from './index.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { NameController } from './name/name.controller.js';
import { UsersModule } from './users/users.module.js';
import { UsersService } from './users/users.service.js';
import { VisitorModule } from './visitor/visitor.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        ...typeOrmOptions(config.getOrThrow<string>('DATABASE_URL')),
        migrationsRun: true,
        // A database that does not answer fails the start in at most
        // 4 × 3 s + 3 × 2 s, each try logged, instead of hanging.
        connectTimeoutMS: 3000,
        retryAttempts: 4,
        retryDelay: 2000,
      }),
    }),
    ScheduleModule.forRoot(),
    TerminusModule,
    VisitorModule,
    UsersModule,
    SessionsModule.forRootAsync({
      // Decides which providers exist, so it is read when the module is
      // defined; the module says what is wrong with a bad value.
      store: process.env.SESSION_STORE as SessionStoreName | undefined,
      imports: [UsersModule],
      inject: [ConfigService, UsersService],
      useFactory: (config: ConfigService, users: UsersService) => {
        // Seconds; short ones let you watch sessions expire and go.
        const maxAge = optionalNumber(config.get<string>('SESSION_COOKIE_AGE'));
        return {
          // A session whose user changed their password elsewhere is logged out.
          auth: {
            currentHash: (userId: string) => users.currentAuthHash(userId),
          },
          cookie: {
            secure: config.get('SESSION_COOKIE_SECURE') === 'true',
            maxAge,
          },
          // Reads keep an active visitor's session alive, writing at most
          // once per fourteenth of its lifetime (a day, of the two weeks).
          touchAfter:
            maxAge === undefined || maxAge >= 14
              ? Math.floor((maxAge ?? TWO_WEEKS) / 14)
              : undefined,
          secret: config.get<string>('SESSION_SECRET'),
          cache: { url: config.get<string>('REDIS_URL') },
          fileStore: { path: config.get<string>('SESSION_FILE_PATH') },
        };
      },
    }),
  ],
  controllers: [
    IndexController,
    NameController,
    CounterController,
    AccountController,
    HealthController,
    MetricsController,
  ],
  providers: [
    // Session errors the client caused answer 4xx; a store outage 503, logged calmly.
    { provide: APP_FILTER, useExisting: SessionsExceptionFilter },
    // Every POST (a form or a script) carries the session's CSRF token.
    { provide: APP_GUARD, useExisting: CsrfGuard },
  ],
})
export class AppModule {}

/** Django's `SESSION_COOKIE_AGE`, the module's default lifetime. */
const TWO_WEEKS = 14 * 24 * 3600;

/** An optional number setting: undefined when unset, else the number (NaN is refused by the module). */
function optionalNumber(value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value);
}
