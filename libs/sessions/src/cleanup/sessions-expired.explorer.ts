import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { SESSIONS_LOGGER_CONTEXT } from '../sessions.constants.js';
import {
  ON_SESSIONS_EXPIRED,
  type SessionsExpiredEvent,
} from './on-sessions-expired.decorator.js';

type SessionsExpiredHandler = (event: SessionsExpiredEvent) => unknown;

/** Finds the `@OnSessionsExpired()` methods of the app's providers. */
@Injectable()
export class SessionsExpiredExplorer implements OnModuleInit {
  private readonly logger = new Logger(SESSIONS_LOGGER_CONTEXT);
  private handlers: SessionsExpiredHandler[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    // A provider exported under another token (`useExisting`) appears once
    // per token: take each instance once.
    const instances = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      if (wrapper.isAlias) {
        continue;
      }
      const instance: unknown = wrapper.isDependencyTreeStatic()
        ? wrapper.instance
        : undefined;
      const prototype: unknown =
        typeof instance === 'object' && instance !== null
          ? Object.getPrototypeOf(instance)
          : (wrapper.metatype as { prototype?: unknown } | null)?.prototype;
      if (typeof prototype !== 'object' || prototype === null) {
        continue;
      }
      if (this.decoratedMethods(prototype).length === 0) {
        continue;
      }
      if (typeof instance !== 'object' || instance === null) {
        this.logger.warn(
          `@OnSessionsExpired() on ${wrapper.name} is ignored: the provider is request-scoped or transient; ` +
            `the cleanup needs a singleton.`,
        );
        continue;
      }
      instances.add(instance);
    }
    this.handlers = [...instances].flatMap((instance) =>
      this.decoratedMethods(Object.getPrototypeOf(instance) as object).map(
        (name) =>
          (instance as Record<string, SessionsExpiredHandler>)[name].bind(
            instance,
          ),
      ),
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

  private decoratedMethods(prototype: object): string[] {
    const methods = prototype as Record<string, unknown>;
    return this.scanner.getAllMethodNames(prototype).filter((name) => {
      const method = methods[name];
      return (
        typeof method === 'function' &&
        this.reflector.get<boolean>(ON_SESSIONS_EXPIRED, method) === true
      );
    });
  }
}
