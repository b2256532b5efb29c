import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Note } from '../notes/note.entity.js';
import { NotesController } from '../notes/notes.controller.js';
import { Upload } from '../uploads/upload.entity.js';
import { UploadsController } from '../uploads/uploads.controller.js';
import { UploadsFolder } from '../uploads/uploads-folder.js';
import { VisitorDataCleanup } from './visitor-data.cleanup.js';
import { VisitorDataService } from './visitor-data.service.js';

/**
 * The login-free part of the demo: an anonymous visitor's notes and files,
 * kept with their session and removed with it by the nightly cleanup.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Note, Upload])],
  controllers: [NotesController, UploadsController],
  providers: [UploadsFolder, VisitorDataService, VisitorDataCleanup],
  exports: [VisitorDataService],
})
export class VisitorModule {}
