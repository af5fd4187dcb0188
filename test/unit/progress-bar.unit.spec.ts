import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatDuration, ProgressBar } from '../../lib/cli/progress-bar.js';
import { CapturedStream } from '../support/cli-streams.js';

// cli-progress reads Date.now and schedules its redraws with setTimeout: fake both.
beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

/** What a terminal would show last on each redrawn line (cursor moves and clears removed). */
const lastDrawn = (text: string) =>
  text
    .split('\n')
    .map((line) =>
      line
        .split('\x1b[1G')
        .at(-1)!
        // eslint-disable-next-line no-control-regex -- ANSI escapes are what a terminal receives
        .replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, ''),
    )
    .filter((line) => line !== '');

describe('ProgressBar on a terminal', () => {
  it('redraws one line in place and leaves the finished bar with the time it took', () => {
    const stream = new CapturedStream(true);
    const bar = new ProgressBar(stream, { label: 'balances' });
    bar.update(0, 10_000);
    vi.advanceTimersByTime(2_000);
    bar.update(3_000, 10_000);
    const partial = lastDrawn(stream.text).at(-1);
    // 3,000 events in 2 s: 1,500 ev/s; the bar is 30 characters wide, 9 of them filled
    expect(partial).toMatch(
      /^balances \[█{9}░{21}\] {3}30% {2}3,000\/10,000 events {2}1,500 ev\/s {2}ETA \d+s$/,
    );
    vi.advanceTimersByTime(2_000);
    bar.complete(10_000);
    expect(stream.text).not.toMatch(/\n.*\n/); // one line, redrawn in place
    expect(stream.text.endsWith('\n')).toBe(true);
    expect(lastDrawn(stream.text)).toEqual([
      'balances [██████████████████████████████]  100%  10,000/10,000 events  2,500 ev/s  took 4s',
    ]);
  });

  it('ends an unfinished line before an error is printed', () => {
    const stream = new CapturedStream(true);
    const bar = new ProgressBar(stream);
    bar.update(1, 10);
    bar.end();
    expect(stream.text.endsWith('\n')).toBe(true);
    expect(lastDrawn(stream.text)).toEqual([
      `[${'█'.repeat(3)}${'░'.repeat(27)}]   10%  1/10 events  0 ev/s  ETA --`,
    ]);
  });
});

describe('ProgressBar in a log (not a terminal)', () => {
  it('writes plain lines: at the start, every 10 seconds, and the finished one once', () => {
    const stream = new CapturedStream(false);
    const bar = new ProgressBar(stream, { label: 'balances' });
    for (let done = 0; done <= 1_000; done += 25) {
      bar.update(done, 1_000);
      vi.advanceTimersByTime(1_000);
    }
    bar.complete(1_000);
    // eslint-disable-next-line no-control-regex -- no carriage return, no ANSI escape in a log
    expect(stream.text).not.toMatch(/[\r\x1b]/);
    const lines = stream.text.split('\n');
    expect(lines.pop()).toBe(''); // ends with a newline, and no empty line after the last
    // 25 events a second: the lines at 10 s, 20 s, ... show what was done just before
    expect(lines.map((l) => l.match(/ (\d+)% /)?.[1])).toEqual([
      '0',
      '22',
      '47',
      '72',
      '97',
      '100',
    ]);
    expect(lines.at(-1)).toBe(
      'balances [██████████████████████████████]  100%  1,000/1,000 events  24 ev/s  took 41s',
    );
  });

  it('treats an empty log as done, and clamps positions past the head to the total', () => {
    const empty = new CapturedStream(false);
    new ProgressBar(empty).complete(0);
    expect(empty.text).toMatch(
      /^\[█{30}\] {2}100% {2}0\/0 events {2}0 ev\/s {2}took 0ms\n\[█{30}\]/,
    );
    const past = new CapturedStream(false);
    const bar = new ProgressBar(past);
    vi.advanceTimersByTime(1_000);
    bar.update(120, 100);
    bar.end();
    expect(past.text.trimEnd().split('\n').at(-1)).toMatch(/100% {2}100\/100 events/);
  });
});

describe('formatDuration', () => {
  it('reads as milliseconds, seconds, minutes or hours', () => {
    expect([850, 42_400, 185_000, 3_720_000].map(formatDuration)).toEqual([
      '850ms',
      '42s',
      '3m05s',
      '1h02m',
    ]);
  });
});
