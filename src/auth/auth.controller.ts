import { CurrentSession, Session } from 'nest-sessions';
import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
} from '@nestjs/common';
import { VisitorDataService } from '../visitor/visitor-data.service.js';

/**
 * Login and logout, the session way: a new key on login (so a key planted
 * before login is worthless), the session deleted on logout. There are no
 * passwords in this demo: any user id logs in. What the visitor made on
 * the notes page follows them to the new key, and goes on logout.
 */
@Controller()
export class AuthController {
  constructor(private readonly visitorData: VisitorDataService) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @CurrentSession() session: Session,
    @Body() body: { userId?: unknown } | undefined,
  ) {
    const userId = body?.userId;
    if (
      !(typeof userId === 'string' && userId.trim() !== '') &&
      !Number.isSafeInteger(userId)
    ) {
      throw new BadRequestException(
        'Send a JSON body with a userId: {"userId": "alice"}.',
      );
    }
    // Set first: a value the session refuses (a NUL character) fails here,
    // before the key changes, and leaves the visitor's session as it was.
    session.set('userId', userId);
    const previousKey = session.sessionKey;
    await session.cycleKey();
    if (previousKey !== null) {
      await this.visitorData.moveToSession(previousKey, session.sessionKey!);
    }
    return { userId };
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@CurrentSession() session: Session) {
    if (session.sessionKey !== null) {
      await this.visitorData.removeSessionData(session.sessionKey);
    }
    await session.flush();
    return { loggedOut: true };
  }
}
