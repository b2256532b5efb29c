import { CurrentSession, Session } from 'nest-sessions';
import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
} from '@nestjs/common';

/**
 * Login and logout, the session way: a new key on login (so a key planted
 * before login is worthless), the session deleted on logout. There are no
 * passwords in this demo: any user id logs in.
 */
@Controller()
export class AuthController {
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
    await session.cycleKey();
    return { userId };
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@CurrentSession() session: Session) {
    await session.flush();
    return { loggedOut: true };
  }
}
