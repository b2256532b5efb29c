import type { Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';

/** What the shutdown stops after the app: the embedded PostgreSQL, if any. */
export interface ShutdownAfterApp {
  stop(): Promise<void>;
}

const logger = new Logger('Shutdown');

/**
 * Stops the app on SIGTERM (`docker stop`, Kubernetes, systemd) or SIGINT
 * without dropping a request it has begun:
 * 1. the server stops accepting connections and closes its idle keep-alive
 *    ones; the requests in flight get `Connection: close` on their response;
 * 2. they finish and save their sessions, for at most `timeoutMs`; past it,
 *    their connections are closed;
 * 3. `app.close()`: the cleanup's cron job stops, a running cleanup commits
 *    the batch it is on and stops, the database pool closes;
 * 4. `after` (the embedded PostgreSQL) stops;
 * 5. the process exits with 0, or 1 if requests were cut or closing failed.
 *
 * A second signal during the shutdown exits at once, with 1.
 */
export function closeGracefullyOnSignals(
  app: INestApplication<Server>,
  after: ShutdownAfterApp,
  timeoutMs: number,
): void {
  const server = app.getHttpServer();
  const inFlight = trackResponses(server);
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn(`${signal} again: exiting now.`);
      process.exit(1);
    }
    closing = true;
    logger.log(
      `${signal}: finishing ${inFlight.size} requests in flight (at most ${timeoutMs} ms), then closing.`,
    );
    void shutDown(app, server, inFlight, after, timeoutMs).then((code) =>
      process.exit(code),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** The responses not yet finished, as the server's requests come and go. */
function trackResponses(server: Server): Set<ServerResponse> {
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_request, response: ServerResponse) => {
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
  });
  return inFlight;
}

async function shutDown(
  app: INestApplication<Server>,
  server: Server,
  inFlight: Set<ServerResponse>,
  after: ShutdownAfterApp,
  timeoutMs: number,
): Promise<number> {
  let code = 0;
  const drained = new Promise<void>((done) => server.close(() => done()));
  // Keep-alive connections end with their current response.
  const lastResponse = (response: ServerResponse) => {
    if (!response.headersSent) {
      response.setHeader('Connection', 'close');
    } else {
      response.once('finish', () => server.closeIdleConnections());
    }
  };
  inFlight.forEach(lastResponse);
  server.on('request', (_request, response: ServerResponse) =>
    lastResponse(response),
  );
  if (!(await settlesWithin(drained, timeoutMs))) {
    logger.warn(
      `${inFlight.size} requests still running after ${timeoutMs} ms: closing their connections.`,
    );
    server.closeAllConnections();
    code = 1;
  }
  try {
    await app.close();
  } catch (error) {
    logger.error(`Closing the app failed: ${(error as Error).message}`);
    code = 1;
  }
  try {
    await after.stop();
  } catch (error) {
    logger.error(`Stopping the database failed: ${(error as Error).message}`);
    code = 1;
  }
  logger.log('Closed.');
  return code;
}

/** Whether `work` settles within `ms`. */
async function settlesWithin(
  work: Promise<void>,
  ms: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((done) => {
    timer = setTimeout(() => done(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
