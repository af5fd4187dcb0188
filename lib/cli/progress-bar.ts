import type { Writable } from 'node:stream';
import cliProgress from 'cli-progress';

/** How often a stream that is not a terminal (a log file, CI) gets a line while work goes on. */
const LOG_LINE_EVERY_MS = 10_000;

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
 * when complete, the time it took replaces the ETA. cli-progress draws the bar and estimates the
 * ETA; this only chooses the words operators read.
 */
function progressLine(label: string | undefined): cliProgress.GenericFormatter {
  return (options, params) => {
    const done = Math.min(params.value, params.total);
    const elapsedMs = (params.stopTime ?? Date.now()) - params.startTime;
    const rate = elapsedMs > 0 ? done / (elapsedMs / 1_000) : 0;
    const bar = `[${cliProgress.Format.BarFormat(params.progress, options)}]`;
    // seconds, or 'NULL' / 'INF' while cli-progress has too little data to estimate
    const eta = Number(params.eta);
    const tail =
      params.progress >= 1
        ? `took ${formatDuration(elapsedMs)}`
        : rate > 0 && Number.isFinite(eta)
          ? `ETA ${formatDuration(eta * 1_000)}`
          : 'ETA --';
    return [
      label ? `${label} ${bar}` : bar,
      `${Math.floor(params.progress * 100)}%`.padStart(4),
      `${count.format(done)}/${count.format(params.total)} events`,
      `${count.format(rate)} ev/s`,
      tail,
    ].join('  ');
  };
}

/**
 * Progress of a replay on a stream (stderr), drawn by cli-progress: redrawn in place on a
 * terminal; elsewhere (a log file, CI) a plain line when it starts, every 10 s, and at the end.
 */
export class ProgressBar {
  private readonly bar: cliProgress.SingleBar;
  private started = false;

  constructor(stream: Writable, options: { label?: string } = {}) {
    const tty = (stream as Writable & { isTTY?: boolean }).isTTY === true;
    this.bar = new cliProgress.SingleBar({
      stream,
      format: progressLine(options.label),
      barsize: 30,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: false,
      // the CLI has its own SIGINT handling (closing the application)
      gracefulExit: false,
      noTTYOutput: true,
      notTTYSchedule: LOG_LINE_EVERY_MS,
      // In a log, the last line already ends with a newline; the "clear" is a no-op there, so
      // this only drops cli-progress's extra empty line. On a terminal the finished bar stays.
      clearOnComplete: !tty,
      // 0 of 0 is done, not 0%
      emptyOnZero: false,
    });
  }

  update(done: number, total: number): void {
    const all = Math.max(0, total);
    const value = Math.min(Math.max(0, done), all);
    if (!this.started) {
      this.started = true;
      this.bar.start(all, value);
      return;
    }
    this.bar.setTotal(all);
    this.bar.update(value);
  }

  /** Draws the finished bar (100%, the time it took) and ends the line. */
  complete(total: number): void {
    this.update(total, total);
    this.end();
  }

  /** Stops drawing and ends the line, so that what follows (an error) starts on a line of its own. */
  end(): void {
    this.bar.stop();
  }
}
