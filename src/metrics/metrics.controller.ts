import { CleanupService } from 'nest-sessions';
import { Controller, Get, Header } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';

/**
 * `GET /metrics` in Prometheus's text format: what the session cleanup did
 * in this process, and the expired sessions waiting for it.
 */
@Controller('metrics')
export class MetricsController {
  private readonly registry = new Registry();
  private readonly gauges = {
    runs: this.gauge(
      'sessions_cleanup_runs',
      'Cleanup runs that ended (done or failed) since the process started.',
    ),
    failures: this.gauge(
      'sessions_cleanup_failures',
      'Cleanup runs that failed since the process started.',
    ),
    deleted: this.gauge(
      'sessions_cleanup_deleted',
      'Expired sessions deleted since the process started.',
    ),
    lastRun: this.gauge(
      'sessions_cleanup_last_run_timestamp_seconds',
      'When the last cleanup run started.',
    ),
    lastDuration: this.gauge(
      'sessions_cleanup_last_run_duration_seconds',
      'How long the last cleanup run took.',
    ),
    lastDeleted: this.gauge(
      'sessions_cleanup_last_run_deleted',
      'Expired sessions the last cleanup run deleted.',
    ),
    lastBatches: this.gauge(
      'sessions_cleanup_last_run_batches',
      'Batches of the last cleanup run.',
    ),
    lastSuccess: this.gauge(
      'sessions_cleanup_last_success_timestamp_seconds',
      'When the last cleanup run that did not fail ended.',
    ),
    backlog: this.gauge(
      'sessions_expired_backlog',
      'Expired sessions waiting to be purged.',
    ),
    oldest: this.gauge(
      'sessions_expired_oldest_seconds',
      'Seconds the longest-waiting expired session has waited.',
    ),
  };

  constructor(private readonly cleanup: CleanupService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    const metrics = await this.cleanup.metrics();
    const { gauges } = this;
    gauges.runs.set(metrics.runs);
    gauges.failures.set(metrics.failures);
    gauges.deleted.set(metrics.deletedTotal);
    if (metrics.lastRun !== null) {
      gauges.lastRun.set(metrics.lastRun.startedAt.getTime() / 1000);
      gauges.lastDuration.set(metrics.lastRun.durationMs / 1000);
      gauges.lastDeleted.set(metrics.lastRun.deleted);
      gauges.lastBatches.set(metrics.lastRun.batches);
    }
    if (metrics.lastSuccessAt !== null) {
      gauges.lastSuccess.set(metrics.lastSuccessAt.getTime() / 1000);
    }
    if (metrics.expiredBacklog !== undefined) {
      gauges.backlog.set(metrics.expiredBacklog);
    }
    if (metrics.oldestExpiredSeconds !== undefined) {
      gauges.oldest.set(metrics.oldestExpiredSeconds);
    }
    return this.registry.metrics();
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name, help, registers: [this.registry] });
  }
}
