import { SessionsHealthIndicator } from 'nest-sessions';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';

/** Two days: with the nightly cleanup, an expired session waits a day at most. */
const MAX_EXPIRED_AGE_SECONDS = 2 * 24 * 60 * 60;

/**
 * `GET /health` for a load balancer or Kubernetes: 200 when the session
 * store answers within a second and the cleanup keeps up; 503 otherwise.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sessions: SessionsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () =>
        this.sessions.isHealthy('sessions', {
          timeoutMs: 1000,
          maxExpiredAgeSeconds: MAX_EXPIRED_AGE_SECONDS,
        }),
    ]);
  }
}
