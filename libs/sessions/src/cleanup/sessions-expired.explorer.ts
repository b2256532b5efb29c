import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  ON_SESSIONS_EXPIRED,
  type SessionsExpiredEvent,
} from './on-sessions-expired.decorator.js';

type SessionsExpiredHandler = (event: SessionsExpiredEvent) => unknown;

/** Finds the `@OnSessionsExpired()` methods of the app's providers. */
@Injectable()
export class SessionsExpiredExplorer implements OnModuleInit {
  private handlers: SessionsExpiredHandler[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    this.handlers = this.discovery
      .getProviders()
      .filter((wrapper) => wrapper.isDependencyTreeStatic())
      .flatMap(({ instance }: { instance: unknown }) =>
        this.handlersOf(instance),
      );
  }

  /** True when some provider wants the keys of expired sessions. */
  get hasHandlers(): boolean {
    return this.handlers.length > 0;
  }

  /** Calls every handler in turn; the first that throws stops the batch. */
  async notify(event: SessionsExpiredEvent): Promise<void> {
    for (const handler of this.handlers) {
      await handler(event);
    }
  }

  private handlersOf(instance: unknown): SessionsExpiredHandler[] {
    if (typeof instance !== 'object' || instance === null) {
      return [];
    }
    const methods = instance as Record<string, unknown>;
    return this.scanner
      .getAllMethodNames(Object.getPrototypeOf(instance) as object)
      .map((name) => methods[name])
      .filter(
        (method): method is SessionsExpiredHandler =>
          typeof method === 'function' &&
          this.reflector.get<boolean>(ON_SESSIONS_EXPIRED, method) === true,
      )
      .map((method) => method.bind(instance));
  }
}
