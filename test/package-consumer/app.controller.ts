import { Controller, Get, Post, Query } from '@nestjs/common';
import {
  type CleanupResult,
  CleanupService,
  CurrentSession,
  Session,
  SessionService,
} from 'nest-sessions';

@Controller()
export class AppController {
  constructor(
    private readonly sessions: SessionService,
    private readonly cleanup: CleanupService,
  ) {}

  @Get('set')
  set(@CurrentSession() session: Session, @Query('value') value: string) {
    session.set('value', value);
    return { value };
  }

  @Get('get')
  async get() {
    const session = await this.sessions.current();
    return { value: session.get<string>('value') ?? null };
  }

  @Post('cleanup')
  purge(): Promise<CleanupResult> {
    return this.cleanup.run();
  }
}
