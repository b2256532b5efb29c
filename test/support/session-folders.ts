import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AfterSessionsExpired,
  type AfterSessionsExpiredEvent,
} from 'nest-sessions';
import { Injectable } from '@nestjs/common';

/** The folder of test files the cleanup tests give each session, under `root`. */
export async function makeSessionFolders(
  root: string,
  keys: readonly string[],
): Promise<void> {
  for (const key of keys) {
    await mkdir(join(root, key), { recursive: true });
    await writeFile(join(root, key, 'upload.txt'), key);
  }
}

/** The session folders left under `root`, sorted. */
export async function sessionFolders(root: string): Promise<string[]> {
  return (await readdir(root)).sort();
}

/**
 * Removes each expired session's folder under `SessionFoldersCleanup.root`
 * after its batch commits, as an app removes its visitors' files; records
 * every batch, and throws on demand.
 */
@Injectable()
export class SessionFoldersCleanup {
  static root = '';
  readonly batches: string[][] = [];
  /** Throw for these batches (1 is the first call), before removing anything. */
  failOnCalls = new Set<number>();
  /** Called first on each call, to look at the database from outside the batch. */
  onCall?: (keys: readonly string[]) => Promise<void>;
  private calls = 0;

  @AfterSessionsExpired()
  async removeFolders({ keys }: AfterSessionsExpiredEvent): Promise<void> {
    this.calls++;
    await this.onCall?.(keys);
    if (this.failOnCalls.has(this.calls)) {
      throw new Error('the file server is read-only');
    }
    this.batches.push([...keys]);
    for (const key of keys) {
      await rm(join(SessionFoldersCleanup.root, key), {
        recursive: true,
        force: true,
      });
    }
  }
}
