import {
  DomainEvent,
  Projection,
  ProjectionHandler,
  type ProjectionContext,
} from 'nestjs-event-sourcing';

@DomainEvent('ops.pinged')
export class Pinged {
  constructor(readonly id: string) {}
}

/** Remembers when it handled each ping, to measure how long events take to reach a projection. */
@Projection('lag_probe', { pollIntervalMs: 20 })
export class LagProjection {
  readonly handledAt = new Map<string, number>();

  @ProjectionHandler(Pinged)
  pinged(event: Pinged, _ctx: ProjectionContext) {
    this.handledAt.set(event.id, Date.now());
  }
}
