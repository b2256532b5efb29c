import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { demoDataDir, startDemoPostgres } from './database/demo-postgres.js';

const database = await startDemoPostgres();

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
  ? `an embedded PostgreSQL in ${demoDataDir}`
  : 'the PostgreSQL of DATABASE_URL';
console.log(
  `nest-sessions demo on http://localhost:${port}/ (sessions in ${where})`,
);
