import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CsrfExempt,
  CsrfService,
  CurrentSession,
  Session,
} from 'nest-sessions';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  Headers,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Redirect,
  StreamableFile,
  UnsupportedMediaTypeException,
  UploadedFile,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { HtmlErrorFilter } from '../visitor/html-error.filter.js';
import { VisitorDataService } from '../visitor/visitor-data.service.js';
import { Upload } from './upload.entity.js';
import {
  attachmentDisposition,
  displayName,
  extensionOf,
  MAX_UPLOAD_BYTES,
  sniffUploadType,
} from './upload-files.js';
import { UploadsFolder } from './uploads-folder.js';

/** The most files one visitor may keep. */
const MAX_UPLOADS = 20;

/** An anonymous visitor's files: the bytes under their session's folder, a row each. */
@Controller('uploads')
@UseFilters(HtmlErrorFilter)
export class UploadsController {
  constructor(
    @InjectRepository(Upload) private readonly uploads: Repository<Upload>,
    private readonly folder: UploadsFolder,
    private readonly visitorData: VisitorDataService,
    private readonly csrf: CsrfService,
  ) {}

  /**
   * One file from the form's `file` field; over 1 MB answers 413 (multer's
   * limit). Guards run before the multipart body is read, so this route
   * checks the form's CSRF token itself, before anything is stored.
   */
  @Post()
  @CsrfExempt()
  @Redirect('/notes', 303)
  @UseInterceptors(
    FileInterceptor('file', {
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 5 },
    }),
  )
  async add(
    @CurrentSession() session: Session,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body('csrfmiddlewaretoken') fieldToken: unknown,
    @Headers('x-csrftoken') headerToken: string | undefined,
  ): Promise<void> {
    this.csrf.verify(session, headerToken ?? fieldToken);
    if (file === undefined || file.size === 0) {
      throw new BadRequestException('Choose a file that is not empty.');
    }
    const type = sniffUploadType(file.buffer);
    if (type === undefined) {
      throw new UnsupportedMediaTypeException(
        'Only text, PNG, JPEG and PDF files are accepted.',
      );
    }
    const sessionKey = await this.visitorData.keyOfSaved(session);
    // The name on disk is ours; the browser's name is only shown.
    const id = randomUUID();
    const folder = this.folder.of(sessionKey);
    const path = join(folder, id);
    try {
      await this.visitorData.addToSession(sessionKey, async (manager) => {
        if ((await manager.countBy(Upload, { sessionKey })) >= MAX_UPLOADS) {
          throw new BadRequestException(
            `You have ${MAX_UPLOADS} files, the most one visitor may keep: delete one first.`,
          );
        }
        await mkdir(folder, { recursive: true });
        await writeFile(path, file.buffer, { flag: 'wx' });
        await manager.insert(Upload, {
          id,
          sessionKey,
          name: displayName(file.originalname),
          contentType: type.contentType,
          size: file.size,
        });
      });
    } catch (error) {
      // No row: no file. (After a crash here, the file goes with the
      // session's folder when the session expires.)
      await rm(path, { force: true });
      throw error;
    }
  }

  /** The visitor's own file, as an attachment; anyone else's id is a 404. */
  @Get(':id')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'private, no-store')
  async download(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<StreamableFile> {
    const sessionKey = this.visitorData.keyOf(session);
    const upload =
      sessionKey === null
        ? null
        : await this.uploads.findOneBy({ id, sessionKey });
    const path = upload && join(this.folder.of(upload.sessionKey), upload.id);
    if (upload === null || path === null || !(await isFile(path))) {
      throw new NotFoundException('No such file among yours.');
    }
    return new StreamableFile(createReadStream(path), {
      type: upload.contentType,
      length: upload.size,
      disposition: attachmentDisposition(
        upload.name,
        extensionOf(upload.contentType),
      ),
    });
  }

  @Post(':id/delete')
  @Redirect('/notes', 303)
  async remove(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    const sessionKey = this.visitorData.keyOf(session);
    if (sessionKey === null) {
      return;
    }
    // The row first: a crash after it leaves a file that goes with the
    // session's folder, never a row without its file.
    const { affected } = await this.uploads.delete({ id, sessionKey });
    if (affected) {
      await rm(join(this.folder.of(sessionKey), id), { force: true });
    }
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}
