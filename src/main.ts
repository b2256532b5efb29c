import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { demoDataDir, startDemoPostgres } from './database/demo-postgres.js';
import {
  DatabaseUrlError,
  type LocalPostgres,
} from './database/local-postgres.js';
import { closeGracefullyOnSignals } from './server/graceful-shutdown.js';
import { readServerSettings, SettingError } from './server/server-settings.js';

let database: LocalPostgres | undefined;
try {
  const settings = readServerSettings(process.env);
  database = await startDemoPostgres();

  // Thrown here, not ended by Nest, so the catch below stops the database.
  const app = await NestFactory.create<INestApplication<Server>>(AppModule, {
    abortOnError: false,
  });
  await app.listen(settings.port, settings.host);
  closeGracefullyOnSignals(app, database, settings.shutdownTimeoutMs);

  const { address, port } = app.getHttpServer().address() as AddressInfo;
  const where = database.embedded
    ? `an embedded PostgreSQL in ${demoDataDir}`
    : 'the PostgreSQL of DATABASE_URL';
  const host = address.includes(':') ? `[${address}]` : address;
  console.log(
    `nest-sessions demo on http://${host}:${port}/ (sessions in ${where})`,
  );
} catch (error) {
  // A bad setting is told in one line; anything else with its stack.
  console.error(
    error instanceof SettingError || error instanceof DatabaseUrlError
      ? `Cannot start: ${error.message}`
      : error,
  );
  // An app that cannot start leaves no PostgreSQL of its own behind.
  await database?.stop();
  process.exit(1);
}
