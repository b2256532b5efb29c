import {
  Body,
  Controller,
  Get,
  Header,
  Param,
  Post,
  Redirect,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  CsrfService,
  CurrentSession,
  CurrentUserId,
  LoggedInGuard,
  type Session,
  SessionService,
} from 'nest-sessions';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { HtmlErrorFilter } from '../visitor/html-error.filter.js';
import { VisitorDataService } from '../visitor/visitor-data.service.js';
import { accountPage, loginPage, signupPage } from './account-pages.js';
import { LoginRedirectFilter } from './login-redirect.filter.js';

/**
 * Accounts, the session way: sign-up and login give the session a new key
 * (the visitor's notes and files follow it), logout deletes it; the account
 * page lists the user's sessions to revoke; a password change logs the
 * other sessions out. Every form carries the session's CSRF token.
 */
@Controller()
@UseFilters(HtmlErrorFilter, LoginRedirectFilter)
export class AccountController {
  constructor(
    private readonly sessions: SessionService,
    private readonly csrf: CsrfService,
    private readonly users: UsersService,
    private readonly visitorData: VisitorDataService,
  ) {}

  /** A token for scripts, to send back in the `X-CSRFToken` header. */
  @Get('csrf')
  @Header('Cache-Control', 'private, no-store')
  token(@CurrentSession() session: Session): { token: string } {
    return { token: this.csrf.token(session) };
  }

  @Get('signup')
  @Header('Content-Type', 'text/html; charset=utf-8')
  signupForm(@CurrentSession() session: Session): string {
    return signupPage(this.csrf.token(session));
  }

  @Post('signup')
  @Redirect('/account', 303)
  async signup(
    @CurrentSession() session: Session,
    @Body() body: Record<string, unknown> | undefined,
    @Req() request: Request,
  ): Promise<void> {
    const user = await this.users.signUp(body?.username, body?.password);
    await this.logIn(session, user, request);
  }

  @Get('login')
  @Header('Content-Type', 'text/html; charset=utf-8')
  loginForm(@CurrentSession() session: Session): string {
    return loginPage(this.csrf.token(session));
  }

  /** A wrong name or password answers the form again, with a 401. */
  @Post('login')
  async login(
    @CurrentSession() session: Session,
    @Body() body: Record<string, unknown> | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const user = await this.users.authenticate(body?.username, body?.password);
    if (user === null) {
      response
        .status(401)
        .type('html')
        .send(loginPage(this.csrf.token(session), 'Wrong name or password.'));
      return;
    }
    await this.logIn(session, user, request);
    response.redirect(303, '/account');
  }

  @Post('logout')
  @Redirect('/', 303)
  async logout(@CurrentSession() session: Session): Promise<void> {
    const key = this.visitorData.keyOf(session);
    if (key !== null) {
      await this.visitorData.removeSessionData(key);
    }
    await this.sessions.logout(session);
  }

  @Get('account')
  @UseGuards(LoggedInGuard)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'private, no-store')
  async account(
    @CurrentSession() session: Session,
    @CurrentUserId() userId: string,
  ): Promise<string> {
    const [user, sessions] = await Promise.all([
      this.users.find(userId),
      this.sessions.listUserSessions(userId, session),
    ]);
    return accountPage(
      user?.username ?? userId,
      sessions,
      this.csrf.token(session),
    );
  }

  @Post('account/sessions/revoke-others')
  @UseGuards(LoggedInGuard)
  @Redirect('/account', 303)
  async revokeOthers(@CurrentSession() session: Session): Promise<void> {
    await this.sessions.revokeOtherSessions(session);
  }

  @Post('account/sessions/:id/revoke')
  @UseGuards(LoggedInGuard)
  @Redirect('/account', 303)
  async revoke(
    @CurrentUserId() userId: string,
    @Param('id') id: string,
  ): Promise<void> {
    // Only the user's own sessions: another id revokes nothing.
    await this.sessions.revokeUserSession(userId, id);
  }

  /** The other sessions keep the old auth hash: each is logged out when next used. */
  @Post('account/password')
  @UseGuards(LoggedInGuard)
  @Redirect('/account', 303)
  async changePassword(
    @CurrentSession() session: Session,
    @CurrentUserId() userId: string,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    const authHash = await this.users.changePassword(
      userId,
      body?.current,
      body?.next,
    );
    await this.sessions.updateAuthHash(session, authHash);
  }

  /**
   * Logs `user` in on the session; what the visitor made before comes along
   * to the new key, unless the session was another user's (then it goes).
   */
  private async logIn(
    session: Session,
    user: User,
    request: Request,
  ): Promise<void> {
    const before = this.visitorData.keyOf(session);
    const previousUser = await this.sessions.userId(session);
    await this.sessions.login(session, user.id, {
      authHash: this.users.authHash(user),
      ip: request.ip,
      userAgent: request.get('user-agent'),
    });
    const after = this.visitorData.keyOf(session);
    if (before === null || before === after) {
      return;
    }
    // Emptied (another user's session, or a stale login): its data goes.
    if (after === null || (previousUser !== null && previousUser !== user.id)) {
      await this.visitorData.removeSessionData(before);
    } else {
      await this.visitorData.moveToSession(before, after);
    }
  }
}
