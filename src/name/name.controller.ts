import { CurrentSession, Session } from 'nest-sessions';
import { BadRequestException, Controller, Get, Query } from '@nestjs/common';

/** The seed tutorial's routes: a name kept in the session. */
@Controller()
export class NameController {
  @Get('set')
  set(@CurrentSession() session: Session, @Query('name') name?: unknown) {
    // ?name=a&name=b makes an array, ?name[x]=a an object.
    if (name !== undefined && typeof name !== 'string') {
      throw new BadRequestException('Give one name: /set/?name=alice.');
    }
    const stored = name?.trim() || 'manish';
    // Text PostgreSQL cannot store (a NUL character...) throws a
    // SessionDataError, which SessionsExceptionFilter answers with a 400.
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
