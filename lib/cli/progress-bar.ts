import type { Writable } from 'node:stream';

export interface ProgressSnapshot {
  /** Events handled so far. */
  done: number;
  /** Events to handle in all (0: nothing to do, shown as complete). */
  total: number;
  /** Time since the work began. */
  elapsedMs: number;
}

export interface ProgressBarOptions {
  /** Printed before the bar, e.g. the projection's name. */
  label?: string;
  /** Characters between the brackets. @default 30 */
  width?: number;
  /** The clock (tests pass a fake one). @default Date.now */
  now?: () => number;
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `850ms`, `42s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${pad(seconds % 60)}s`;
  return `${Math.floor(seconds / 3_600)}h${pad(Math.floor(seconds / 60) % 60)}m`;
}

/**
 * One line of progress, e.g.
 * `balances [█████████░░░░░░░░░░░░░░░░░░░░░]  30%  3,000/10,000 events  1,500 ev/s  ETA 5s`;
 * when complete, the time it took replaces the ETA.
 */
export function renderProgressBar(
  snapshot: ProgressSnapshot,
  options: ProgressBarOptions = {},
): string {
  const width = options.width ?? 30;
  const total = Math.max(0, snapshot.total);
  const done = Math.min(Math.max(0, snapshot.done), total);
  const ratio = total === 0 ? 1 : done / total;
  const filled = Math.floor(ratio * width);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  const seconds = snapshot.elapsedMs / 1_000;
  const rate = seconds > 0 ? done / seconds : 0;
  const tail =
    ratio >= 1
      ? `took ${formatDuration(snapshot.elapsedMs)}`
      : rate > 0
        ? `ETA ${formatDuration(((total - done) / rate) * 1_000)}`
        : 'ETA --';
  const parts = [
    options.label ? `${options.label} ${bar}` : bar,
    percent,
    `${count.format(done)}/${count.format(total)} events`,
    `${count.format(rate)} ev/s`,
    tail,
  ];
  return parts.join('  ');
}

/**
 * Writes progress to a stream: redrawn in place on a terminal, otherwise (a log file, CI) one line
 * each time another tenth of the work is done, so logs stay short.
 */
export class ProgressBar {
  private readonly startedAt: number;
  private readonly now: () => number;
  private readonly tty: boolean;
  private lastTenth = -1;
  private pendingLine = false;
  private last: { done: number; total: number } = { done: 0, total: 0 };

  constructor(
    private readonly stream: Writable,
    private readonly options: ProgressBarOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.tty = (stream as Writable & { isTTY?: boolean }).isTTY === true;
  }

  update(done: number, total: number): void {
    this.last = { done, total };
    const line = this.render();
    if (this.tty) {
      // Back to the start of the line, draw, and clear what a longer previous line left.
      this.stream.write(`\r${line}\x1b[K`);
      this.pendingLine = true;
      return;
    }
    const tenth = total <= 0 ? 10 : Math.floor((Math.min(done, total) / total) * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${line}\n`);
    }
  }

  /** Draws the finished bar (100%, the time it took) and ends the line. */
  complete(total: number): void {
    if (this.tty) {
      this.update(total, total);
      this.end();
    } else if (this.lastTenth < 10) {
      this.update(total, total);
    }
  }

  /** Ends a bar drawn in place, so that what follows (an error) starts on a line of its own. */
  end(): void {
    if (this.pendingLine) this.stream.write('\n');
    this.pendingLine = false;
  }

  private render(): string {
    return renderProgressBar(
      { ...this.last, elapsedMs: this.now() - this.startedAt },
      { label: this.options.label, width: this.options.width },
    );
  }
}
