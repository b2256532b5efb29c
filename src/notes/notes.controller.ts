import { CsrfService, CurrentSession, Session } from 'nest-sessions';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Header,
  Param,
  ParseUUIDPipe,
  Post,
  Redirect,
  UseFilters,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Upload } from '../uploads/upload.entity.js';
import { HtmlErrorFilter } from '../visitor/html-error.filter.js';
import { VisitorDataService } from '../visitor/visitor-data.service.js';
import { Note } from './note.entity.js';
import { MAX_NOTE_LENGTH, notesPage } from './notes-page.js';

/** The most notes one visitor may keep. */
const MAX_NOTES = 100;

/** The login-free notes page: an anonymous visitor's notes and files, in plain HTML forms. */
@Controller('notes')
@UseFilters(HtmlErrorFilter)
export class NotesController {
  constructor(
    @InjectRepository(Note) private readonly notes: Repository<Note>,
    @InjectRepository(Upload) private readonly uploads: Repository<Upload>,
    private readonly visitorData: VisitorDataService,
    private readonly csrf: CsrfService,
  ) {}

  /** The page; its forms carry the session's CSRF token (which makes the session). */
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async show(@CurrentSession() session: Session): Promise<string> {
    const token = this.csrf.token(session);
    const sessionKey = this.visitorData.keyOf(session);
    if (sessionKey === null) {
      return notesPage([], [], token);
    }
    const order = { createdAt: 'ASC', id: 'ASC' } as const;
    const [notes, uploads] = await Promise.all([
      this.notes.find({ where: { sessionKey }, order }),
      this.uploads.find({ where: { sessionKey }, order }),
    ]);
    return notesPage(notes, uploads, token);
  }

  @Post()
  @Redirect('/notes', 303)
  async add(
    @CurrentSession() session: Session,
    @Body('text') text: unknown,
  ): Promise<void> {
    const note = typeof text === 'string' ? text.trim() : '';
    if (note.length === 0 || note.length > MAX_NOTE_LENGTH) {
      throw new BadRequestException(
        `A note is text of 1 to ${MAX_NOTE_LENGTH} characters.`,
      );
    }
    if (note.includes('\u0000')) {
      throw new BadRequestException('A note cannot contain a NUL character.');
    }
    const sessionKey = await this.visitorData.keyOfSaved(session);
    await this.visitorData.addToSession(sessionKey, async (manager) => {
      if ((await manager.countBy(Note, { sessionKey })) >= MAX_NOTES) {
        throw new BadRequestException(
          `You have ${MAX_NOTES} notes, the most one visitor may keep: delete one first.`,
        );
      }
      await manager.insert(Note, { sessionKey, text: note });
    });
  }

  @Post(':id/delete')
  @Redirect('/notes', 303)
  async remove(
    @CurrentSession() session: Session,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    const sessionKey = this.visitorData.keyOf(session);
    if (sessionKey !== null) {
      // Only the visitor's own note: another session's id deletes nothing.
      await this.notes.delete({ id, sessionKey });
    }
  }
}
