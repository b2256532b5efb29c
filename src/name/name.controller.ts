import { CurrentSession, Session, SessionDataError } from 'nest-sessions';
import { BadRequestException, Controller, Get, Query } from '@nestjs/common';

/** The seed tutorial's routes: a name kept in the session. */
@Controller()
export class NameController {
  @Get('set')
  set(@CurrentSession() session: Session, @Query('name') name?: string) {
    const stored = name?.trim() || 'manish';
    try {
      session.set('name', stored);
    } catch (error) {
      // Text PostgreSQL cannot store (a NUL character...) is the visitor's mistake.
      if (error instanceof SessionDataError) {
        throw new BadRequestException(error.message);
      }
      throw error;
    }
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
