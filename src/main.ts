import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { startLocalPostgres } from './database/local-postgres.js';

const dataDir = process.env.EMBEDDED_POSTGRES_DIR ?? '.data/postgres';
const database = await startLocalPostgres({
  dataDir,
  database: 'nest_sessions',
  persistent: true,
});
process.env.DATABASE_URL = database.url;

const app = await NestFactory.create<INestApplication<Server>>(AppModule);
await app.listen(Number(process.env.PORT ?? 3000));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void app
      .close()
      .finally(() => database.stop())
      .finally(() => process.exit(0));
  });
}

const { port } = app.getHttpServer().address() as AddressInfo;
const where = database.embedded
  ? `an embedded PostgreSQL in ${dataDir}`
  : 'the PostgreSQL of DATABASE_URL';
console.log(
  `nest-sessions demo on http://localhost:${port}/ (sessions in ${where})`,
);
