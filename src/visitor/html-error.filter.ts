import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
} from '@nestjs/common';
import type { Response } from 'express';
import { html, page } from './html.js';

/** The visitor pages' errors (a 4xx for what the visitor sent), as a page with a way back. */
@Catch(HttpException)
export class HtmlErrorFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const answer = exception.getResponse();
    const message =
      typeof answer === 'object' && 'message' in answer
        ? [answer.message].flat().join(' ')
        : exception.message;
    response
      .status(exception.getStatus())
      .type('html')
      .send(
        page(
          'Not done',
          html`<h1>Not done</h1>
            <p class="error">${message}</p>
            <p><a href="/notes">Back to your notes</a></p>`,
        ),
      );
  }
}
