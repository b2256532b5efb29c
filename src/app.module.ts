import { type SessionStoreName, SessionsModule } from 'nest-sessions';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthController } from './auth/auth.controller.js';
import { CounterController } from './counter/counter.controller.js';
import { typeOrmOptions } from './database/typeorm-options.js';
import { IndexController } from './index.controller.js';
import { NameController } from './name/name.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        ...typeOrmOptions(config.getOrThrow<string>('DATABASE_URL')),
        migrationsRun: true,
      }),
    }),
    ScheduleModule.forRoot(),
    SessionsModule.forRootAsync({
      // Decides which providers exist, so it is read when the module is
      // defined; the module says what is wrong with a bad value.
      store: process.env.SESSION_STORE as SessionStoreName | undefined,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        cookie: { secure: config.get('SESSION_COOKIE_SECURE') === 'true' },
        secret: config.get<string>('SESSION_SECRET'),
        cache: { url: config.get<string>('REDIS_URL') },
        fileStore: { path: config.get<string>('SESSION_FILE_PATH') },
      }),
    }),
  ],
  controllers: [
    IndexController,
    NameController,
    CounterController,
    AuthController,
  ],
})
export class AppModule {}
