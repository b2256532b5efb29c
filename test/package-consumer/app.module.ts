import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  SessionsModule,
  sessionMigrations,
  type SessionStoreName,
} from 'nest-sessions';
import { AppController } from './app.controller.js';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      autoLoadEntities: true,
      migrations: [...sessionMigrations],
      migrationsRun: true,
    }),
    ScheduleModule.forRoot(),
    SessionsModule.forRoot({
      store: (process.env.SESSION_STORE ?? 'db') as SessionStoreName,
    }),
  ],
  controllers: [AppController],
})
export class AppModule {}
