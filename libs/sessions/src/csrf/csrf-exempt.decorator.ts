import { SetMetadata } from '@nestjs/common';

/** The metadata key of `@CsrfExempt()`. */
export const CSRF_EXEMPT = 'nest-sessions:csrf-exempt';

/**
 * Lets a route (on a method) or a controller's routes (on the class) through
 * `CsrfGuard` unchecked, as Django's `@csrf_exempt`: for a webhook signed
 * its own way, say, never for a form a browser posts.
 */
export const CsrfExempt = (): MethodDecorator & ClassDecorator =>
  SetMetadata(CSRF_EXEMPT, true);
