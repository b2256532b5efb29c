import {
  BadRequestException,
  HttpCode,
  NotFoundException,
} from '@nestjs/common';
import { SessionInterruptedError } from '../errors/session-interrupted.error.js';
import { statusOfError, statusOfResult } from './response-status.util.js';

class Handlers {
  plain(this: void): void {}

  @HttpCode(503)
  declared(this: void): void {}
}

describe('statusOfResult', () => {
  it('is the @HttpCode() of the handler', () => {
    expect(
      statusOfResult(Handlers.prototype.declared, { statusCode: 200 }),
    ).toBe(503);
  });

  it('is the status the response holds, else 200', () => {
    expect(statusOfResult(Handlers.prototype.plain, { statusCode: 502 })).toBe(
      502,
    );
    expect(statusOfResult(Handlers.prototype.plain, {})).toBe(200);
  });
});

describe('statusOfError', () => {
  it.each([
    [new BadRequestException(), 400],
    [new NotFoundException(), 404],
    [new SessionInterruptedError(), 400],
    [new Error('boom'), 500],
    [{ statusCode: 200 }, 500],
    [null, 500],
    ['text', 500],
  ])('of %p is %i', (error, status) => {
    expect(statusOfError(error)).toBe(status);
  });
});
