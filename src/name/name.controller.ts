import { CurrentSession, Session } from '@app/sessions';
import { Controller, Get, Query } from '@nestjs/common';

/** The seed tutorial's routes: a name kept in the session. */
@Controller()
export class NameController {
  @Get('set')
  set(@CurrentSession() session: Session, @Query('name') name?: string) {
    const stored = name?.trim() || 'manish';
    session.set('name', stored);
    return {
      name: stored,
      message: `Stored the name ${stored} in your session.`,
    };
  }

  @Get('get')
  get(@CurrentSession() session: Session) {
    const name = session.get<string>('name') ?? null;
    return {
      name,
      message:
        name === null ? 'No name in your session.' : `Your name is ${name}.`,
    };
  }

  @Get('del')
  del(@CurrentSession() session: Session) {
    const deleted = session.delete('name');
    return {
      deleted,
      message: deleted
        ? 'Removed the name from your session.'
        : 'There was no name to remove.',
    };
  }
}
