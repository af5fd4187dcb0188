import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { EventSourcingHealthIndicator } from 'nestjs-event-sourcing';

/** GET /health: 200 while projections and sagas keep up, 503 (with the failing worker) otherwise. */
// #region health
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventSourcing: EventSourcingHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.eventSourcing.isHealthy('event-sourcing', { maxLagMs: 30_000 }),
    ]);
  }
}
// #endregion health
