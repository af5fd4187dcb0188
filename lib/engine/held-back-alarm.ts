import type { HeldBackCause } from '../core/held-back-cause.js';

export interface HeldBackAlarmOptions {
  /** What holds readers back now (undefined: nothing). */
  probe: () => Promise<HeldBackCause | undefined>;
  /** The workers of this process that read the log now; no check while there are none. */
  workers: () => string[];
  /** Warn once a holder has held readers back this long. */
  warnAfterMs: number;
  logger: { warn(message: string): void; log(message: string): void };
}

/**
 * Watches what holds readers of the log back and tells an operator: one warning per episode (a
 * holder past the threshold) naming the holder, and one line when it clears, with how long it
 * lasted. Between those nothing is repeated, so a stall cannot flood the log.
 */
export class HeldBackAlarm {
  private episode: { cause: HeldBackCause; since: number } | undefined;
  private last: HeldBackCause | undefined;

  constructor(private readonly o: HeldBackAlarmOptions) {}

  /** How long readers have been held back at the last check (0: not held back). */
  get heldBackMs(): number {
    return this.last?.ageMs ?? 0;
  }

  /** The holder seen at the last check, if any. */
  get cause(): HeldBackCause | undefined {
    return this.last;
  }

  async check(now = Date.now()): Promise<void> {
    const workers = this.o.workers();
    const cause = workers.length > 0 ? await this.o.probe() : undefined;
    this.last = cause;
    const episode = this.episode;
    if (episode && episode.cause.key !== cause?.key) {
      this.episode = undefined;
      this.o.logger.log(
        `readers of the event log are no longer held back by ${what(episode.cause)}; they were ` +
          `held back for ${now - episode.since} ms`,
      );
    }
    if (!cause || this.episode || cause.ageMs < this.o.warnAfterMs) return;
    this.episode = { cause, since: now - cause.ageMs };
    this.o.logger.warn(
      `readers of the event log held back for ${cause.ageMs} ms (workers ${workers.join(', ')} see ` +
        `no event committed after it until it ends) by ${cause.description}`,
    );
  }
}

function what(cause: HeldBackCause): string {
  const { pid, thread } = cause.details;
  if (pid !== undefined) return `pid ${pid} (transaction ${cause.key})`;
  if (thread !== undefined) return `thread ${thread} (transaction ${cause.key})`;
  return `transaction ${cause.key}`;
}
