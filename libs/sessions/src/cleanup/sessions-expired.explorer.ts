import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { SESSIONS_LOGGER_CONTEXT } from '../sessions.constants.js';
import {
  AFTER_SESSIONS_EXPIRED,
  type AfterSessionsExpiredEvent,
} from './after-sessions-expired.decorator.js';
import {
  ON_SESSIONS_EXPIRED,
  type SessionsExpiredEvent,
} from './on-sessions-expired.decorator.js';

type Handler<Event> = (event: Event) => unknown;

/** The decorators whose methods the cleanup calls, by their metadata keys. */
const DECORATORS = [ON_SESSIONS_EXPIRED, AFTER_SESSIONS_EXPIRED] as const;

/** Finds the `@OnSessionsExpired()` and `@AfterSessionsExpired()` methods of the app's providers. */
@Injectable()
export class SessionsExpiredExplorer implements OnModuleInit {
  private readonly logger = new Logger(SESSIONS_LOGGER_CONTEXT);
  private handlers: Handler<SessionsExpiredEvent>[] = [];
  private afterCommitHandlers: Handler<AfterSessionsExpiredEvent>[] = [];

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
      if (
        DECORATORS.every(
          (decorator) =>
            this.decoratedMethods(prototype, decorator).length === 0,
        )
      ) {
        continue;
      }
      if (typeof instance !== 'object' || instance === null) {
        this.logger.warn(
          `@OnSessionsExpired() or @AfterSessionsExpired() on ${wrapper.name} is ignored: ` +
            `the provider is request-scoped or transient; the cleanup needs a singleton.`,
        );
        continue;
      }
      instances.add(instance);
    }
    this.handlers = this.boundMethods(instances, ON_SESSIONS_EXPIRED);
    this.afterCommitHandlers = this.boundMethods(
      instances,
      AFTER_SESSIONS_EXPIRED,
    );
  }

  /** True when some provider wants the keys of expired sessions in the batch's transaction. */
  get hasHandlers(): boolean {
    return this.handlers.length > 0;
  }

  /** True when some provider wants the keys of expired sessions after the batch commits. */
  get hasAfterCommitHandlers(): boolean {
    return this.afterCommitHandlers.length > 0;
  }

  /** Calls every `@OnSessionsExpired()` method in turn; the first that throws stops the batch. */
  async notify(event: SessionsExpiredEvent): Promise<void> {
    for (const handler of this.handlers) {
      await handler(event);
    }
  }

  /** Calls every `@AfterSessionsExpired()` method in turn; the first that throws stops the rest. */
  async notifyAfterCommit(event: AfterSessionsExpiredEvent): Promise<void> {
    for (const handler of this.afterCommitHandlers) {
      await handler(event);
    }
  }

  private boundMethods<Event>(
    instances: ReadonlySet<object>,
    decorator: (typeof DECORATORS)[number],
  ): Handler<Event>[] {
    return [...instances].flatMap((instance) =>
      this.decoratedMethods(
        Object.getPrototypeOf(instance) as object,
        decorator,
      ).map((name) =>
        (instance as Record<string, Handler<Event>>)[name].bind(instance),
      ),
    );
  }

  private decoratedMethods(
    prototype: object,
    decorator: (typeof DECORATORS)[number],
  ): string[] {
    const methods = prototype as Record<string, unknown>;
    return this.scanner.getAllMethodNames(prototype).filter((name) => {
      const method = methods[name];
      return (
        typeof method === 'function' &&
        this.reflector.get<boolean>(decorator, method) === true
      );
    });
  }
}
