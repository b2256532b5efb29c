import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSessionStore } from 'nest-sessions';
import { describeSessionStoreContract } from 'nest-sessions/testing';
import { expectOneCorruptDataWarning } from './support/corrupt-data-warning.js';

describeSessionStoreContract("'file' (FileSessionStore)", async () => {
  const folder = await mkdtemp(join(tmpdir(), 'nest-sessions-contract-'));
  return {
    store: new FileSessionStore({ path: folder }),
    corrupt: async (key) => {
      const file = join(folder, `session-${key}`);
      await writeFile(file, 'not { json');
      // Writing in place moved the file's time, which is its expiry.
      await utimes(file, new Date(), new Date(Date.now() + 3_600_000));
      return key;
    },
    close: () => rm(folder, { recursive: true, force: true }),
  };
});

expectOneCorruptDataWarning();
