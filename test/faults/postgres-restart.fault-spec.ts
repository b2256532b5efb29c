import { DemoProcess } from '../support/demo-process.js';
import { FaultPostgres } from './support/fault-postgres.js';
import { restartUnderLoad } from './support/restart-under-load.js';

/**
 * The demo on a PostgreSQL of its own, restarted while 50 visitors count
 * their visits: 503 while it is away, then everything as before.
 */
describe('PostgreSQL restarted under load', () => {
  let postgres: FaultPostgres;
  let demo: DemoProcess;

  beforeAll(async () => {
    postgres = await FaultPostgres.start();
    demo = await DemoProcess.start({ DATABASE_URL: postgres.url });
  }, 60_000);

  afterAll(async () => {
    await demo?.stop();
    await postgres?.remove();
  });

  it('answers 503 while it is away, 200 again within 5 s of its return, and keeps every saved session', async () => {
    await restartUnderLoad(
      'PostgreSQL restarted under load (50 visitors)',
      demo,
      { stop: () => postgres.stop(), start: () => postgres.restart() },
      ['200', '503'],
    );
  }, 120_000);
});
