import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { LoginRequiredError } from 'nest-sessions';

/** Sends a browser that is not logged in to the login page (the library answers 401). */
@Catch(LoginRequiredError)
export class LoginRedirectFilter implements ExceptionFilter {
  catch(_error: LoginRequiredError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().redirect(303, '/login');
  }
}
