import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { EventStore } from '../core/event-store.js';
import { EVENT_SOURCING_OPTIONS } from './event-sourcing.module-definition.js';
import type { EventSourcingModuleOptions } from './event-sourcing.options.js';
import { ProjectionManager } from '../projection/projection-manager.js';
import { SagaManager } from '../saga/saga-manager.js';
import { errorMessage } from '../core/error-message.js';
import { TypeOrmEventStore } from '../sql/typeorm-event-store.js';
import { HeldBackAlarm } from '../engine/held-back-alarm.js';
import type { HeldBackCause } from '../core/held-back-cause.js';
import {
  DEFAULT_HELD_BACK_WARNING_MS,
  heldBackCheckIntervalMs,
} from '../engine/monitoring.options.js';

/**
 * Runs the held-back alarm of this process's projections and sagas on a timer (PostgreSQL and
 * MySQL/MariaDB; SQLite and the in-memory store cannot be held back). Only looks while a worker of
 * this process reads the log.
 */
@Injectable()
export class HeldBackMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EventSourcing');
  private readonly alarm: HeldBackAlarm | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(
    store: EventStore,
    private readonly projections: ProjectionManager,
    private readonly sagas: SagaManager,
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingModuleOptions,
  ) {
    if (store instanceof TypeOrmEventStore && store.dialect.heldBackBy) {
      this.alarm = new HeldBackAlarm({
        probe: () => store.heldBackBy(),
        workers: () => [
          ...this.projections.reading().map((n) => `projection ${n}`),
          ...this.sagas.reading().map((n) => `saga ${n}`),
        ],
        warnAfterMs: this.warnAfterMs,
        logger: this.logger,
      });
    }
  }

  get warnAfterMs(): number {
    return this.options.heldBackWarningMs ?? DEFAULT_HELD_BACK_WARNING_MS;
  }

  /** Held back at the last check, in ms (0: not held back, or not looked at yet). */
  get heldBackMs(): number {
    return this.alarm?.heldBackMs ?? 0;
  }

  get cause(): HeldBackCause | undefined {
    return this.alarm?.cause;
  }

  onApplicationBootstrap(): void {
    if (!this.alarm) return;
    this.timer = setInterval(() => {
      this.checking ??= this.check().finally(() => (this.checking = undefined));
    }, heldBackCheckIntervalMs(this.warnAfterMs));
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  private async check(): Promise<void> {
    try {
      await this.alarm?.check();
      this.lastError = undefined;
    } catch (error) {
      // Said once per distinct error: the workers report their own database errors anyway.
      const message = errorMessage(error);
      if (message !== this.lastError) {
        this.logger.warn(`could not look for transactions holding readers back: ${message}`);
      }
      this.lastError = message;
    }
  }
}
