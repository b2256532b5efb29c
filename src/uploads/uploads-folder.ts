import { resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { sessionFolder } from './upload-files.js';

/** Where visitors' files go: `UPLOADS_PATH`, by default `.data/uploads`. */
@Injectable()
export class UploadsFolder {
  readonly root: string;

  constructor(config: ConfigService) {
    this.root = resolve(config.get<string>('UPLOADS_PATH') ?? '.data/uploads');
  }

  /** The folder of one session's files. */
  of(sessionKey: string): string {
    return sessionFolder(this.root, sessionKey);
  }
}
