import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressBar, renderProgressBar } from '../../lib/cli/progress-bar.js';
import { CapturedStream } from '../support/cli-streams.js';

describe('renderProgressBar', () => {
  it('shows the bar, the percentage, events done / total, the rate and the ETA', () => {
    const line = renderProgressBar({ done: 3_000, total: 10_000, elapsedMs: 2_000 }, { width: 10 });
    // 3,000 events in 2 s: 1,500 ev/s; 7,000 left: 4.67 s.
    expect(line).toBe('[███░░░░░░░]   30%  3,000/10,000 events  1,500 ev/s  ETA 5s');
  });

  it('puts the label before the bar and rounds the fill down', () => {
    const line = renderProgressBar(
      { done: 999, total: 1_000, elapsedMs: 999 },
      { label: 'balances' },
    );
    expect(line).toBe(`balances [${'█'.repeat(29)}░]   99%  999/1,000 events  1,000 ev/s  ETA 1ms`);
  });

  it('at 100% shows a full bar and the time it took instead of an ETA', () => {
    const line = renderProgressBar(
      { done: 90_000, total: 90_000, elapsedMs: 125_000 },
      { width: 4 },
    );
    expect(line).toBe('[████]  100%  90,000/90,000 events  720 ev/s  took 2m05s');
  });

  it('treats an empty log as done, and has no ETA before the first event', () => {
    expect(renderProgressBar({ done: 0, total: 0, elapsedMs: 40 }, { width: 4 })).toBe(
      '[████]  100%  0/0 events  0 ev/s  took 40ms',
    );
    expect(renderProgressBar({ done: 0, total: 50, elapsedMs: 0 }, { width: 4 })).toBe(
      '[░░░░]    0%  0/50 events  0 ev/s  ETA --',
    );
  });

  it('clamps done to the total (positions can run past the head the rebuild started at)', () => {
    expect(renderProgressBar({ done: 120, total: 100, elapsedMs: 1_000 }, { width: 4 })).toBe(
      '[████]  100%  100/100 events  100 ev/s  took 1s',
    );
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

describe('ProgressBar', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('on a terminal redraws one line in place and ends it when complete', () => {
    const stream = new CapturedStream(true);
    const time = clock();
    const bar = new ProgressBar(stream, { width: 4, now: time.now });
    time.advance(1_000);
    bar.update(50, 200);
    time.advance(1_000);
    bar.update(100, 200);
    time.advance(2_000);
    bar.complete(200);
    expect(stream.text.split('\r').slice(1)).toEqual([
      '[█░░░]   25%  50/200 events  50 ev/s  ETA 3s\x1b[K',
      '[██░░]   50%  100/200 events  50 ev/s  ETA 2s\x1b[K',
      '[████]  100%  200/200 events  50 ev/s  took 4s\x1b[K\n',
    ]);
  });

  it('elsewhere writes one line per tenth of the work, and the last line once', () => {
    const stream = new CapturedStream(false);
    const time = clock();
    const bar = new ProgressBar(stream, { width: 4, now: time.now });
    for (let done = 0; done <= 1_000; done += 25) {
      time.advance(100);
      bar.update(done, 1_000);
    }
    bar.complete(1_000);
    const lines = stream.text.trimEnd().split('\n');
    expect(lines.map((l) => l.match(/\d+%/)?.[0])).toEqual([
      '0%',
      '10%',
      '20%',
      '30%',
      '40%',
      '50%',
      '60%',
      '70%',
      '80%',
      '90%',
      '100%',
    ]);
    expect(stream.text).not.toContain('\r');
    expect(lines.at(-1)).toBe('[████]  100%  1,000/1,000 events  244 ev/s  took 4s');
  });

  it('ends an in-place line before an error is printed, and prints nothing more elsewhere', () => {
    const tty = new CapturedStream(true);
    const onTerminal = new ProgressBar(tty, { width: 4 });
    onTerminal.update(1, 10);
    onTerminal.end();
    expect(tty.text.endsWith('\x1b[K\n')).toBe(true);

    const log = new CapturedStream(false);
    const inLog = new ProgressBar(log, { width: 4 });
    inLog.update(1, 10);
    inLog.end();
    expect(log.text.split('\n')).toHaveLength(2); // one line, ended
  });
});
