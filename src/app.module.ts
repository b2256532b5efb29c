import { SessionsModule } from '@app/sessions';
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
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        cookie: { secure: config.get('SESSION_COOKIE_SECURE') === 'true' },
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
