/**
 * Base class of every error nest-sessions throws, so an app can tell them
 * apart from its own with one `instanceof` check.
 */
export class SessionsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
