import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { SessionsConfigurationError } from '../errors/sessions-configuration.error.js';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import {
  SESSIONS_CLEANUP_JOB,
  SESSIONS_OPTIONS,
} from '../sessions.constants.js';
import { CleanupService } from './cleanup.service.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';

/**
 * Registers the nightly cleanup as a cron job with `@nestjs/schedule`'s
 * `SchedulerRegistry` (the app imports `ScheduleModule.forRoot()`), and
 * removes it when the app closes.
 */
@Injectable()
export class CleanupScheduler
  implements OnApplicationBootstrap, OnModuleDestroy
{
  constructor(
    private readonly cleanup: CleanupService,
    @Inject(SESSIONS_OPTIONS)
    private readonly options: ResolvedSessionsOptions,
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, cron, timeZone } = this.options.cleanup;
    if (!enabled || !this.cleanup.hasExpiredToPurge) {
      return;
    }
    if (!this.registry) {
      throw new SessionsConfigurationError([
        SESSIONS_MESSAGES.noScheduleModule(),
      ]);
    }
    const job = CronJob.from({
      cronTime: cron,
      timeZone,
      start: false,
      waitForCompletion: true,
      // run() logs its own failures; a failed night is retried the next.
      onTick: () =>
        this.cleanup.run().then(
          () => undefined,
          () => undefined,
        ),
    });
    this.registry.addCronJob(SESSIONS_CLEANUP_JOB, job);
    job.start();
  }

  onModuleDestroy(): void {
    if (this.registry?.doesExist('cron', SESSIONS_CLEANUP_JOB)) {
      this.registry.deleteCronJob(SESSIONS_CLEANUP_JOB);
    }
  }
}
