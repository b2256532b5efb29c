import { HttpException } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';

/**
 * The status a handler's normal return will be answered with: its
 * `@HttpCode()`, else what the response already holds (set through
 * `@Res({ passthrough: true })`), else 200.
 */
export function statusOfResult(
  handler: object,
  response: { statusCode?: unknown },
): number {
  const declared: unknown = Reflect.getMetadata(HTTP_CODE_METADATA, handler);
  if (typeof declared === 'number') {
    return declared;
  }
  return typeof response.statusCode === 'number' ? response.statusCode : 200;
}

/**
 * The status an error will be answered with by Nest's exception layer:
 * an `HttpException`'s own, an HTTP-shaped error's `statusCode`, else 500.
 */
export function statusOfError(error: unknown): number {
  if (error instanceof HttpException) {
    return error.getStatus();
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600
    ? statusCode
    : 500;
}
