import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type LocalPostgres,
  startEmbeddedPostgres,
} from '../../../src/database/local-postgres.js';

/**
 * A PostgreSQL of a fault case's own, which it may stop and start again on
 * the same port with the same files (a restart), apart from the one the
 * other tests share.
 */
export class FaultPostgres {
  private server: LocalPostgres | undefined;

  private constructor(
    private readonly dataDir: string,
    private port: number | undefined,
  ) {}

  static async start(): Promise<FaultPostgres> {
    const dataDir = resolve(
      join(
        process.env.TEST_DATA_ROOT ?? '.data',
        `nest-sessions-faults-${randomBytes(4).toString('hex')}`,
      ),
    );
    const postgres = new FaultPostgres(dataDir, undefined);
    await postgres.restart();
    return postgres;
  }

  /** `postgres://…/faults` */
  get url(): string {
    return this.server!.url;
  }

  /** Stops the server (a fast shutdown: sessions are cut). */
  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  /** Starts it again, on the same port. */
  async restart(): Promise<void> {
    this.server = await startEmbeddedPostgres({
      dataDir: this.dataDir,
      database: 'faults',
      persistent: true,
      port: this.port,
    });
    this.port = Number(new URL(this.server.url).port);
  }

  /** Stops it and removes its files. */
  async remove(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
