import { parseDuration, type Duration } from './duration.js';

/**
 * The time as sagas see it: when a timeout is due. Also the Nest injection token; the module
 * provides `SystemClock`. Tests replace it with a `ManualClock` to move time forward at will:
 * `Test.createTestingModule(...).overrideProvider(Clock).useValue(clock)`.
 */
export abstract class Clock {
  abstract now(): Date;
}

/** The computer's clock. */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that moves only when told to (tests). */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date = new Date()) {
    super();
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves the clock forward by a duration (`'15m'`, `'2h'`, or milliseconds). */
  advance(by: Duration): Date {
    this.current += parseDuration(by, 'ManualClock.advance');
    return this.now();
  }

  set(to: Date): void {
    this.current = to.getTime();
  }
}
