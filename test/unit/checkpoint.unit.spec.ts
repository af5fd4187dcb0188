import { describe, expect, it } from 'vitest';
import { InvalidCheckpointError } from 'nestjs-event-sourcing';
import {
  compareCheckpoints,
  formatCheckpoint,
  parsePositionCheckpoint,
  parseTransactionCheckpoint,
  positionOf,
  START_CHECKPOINT,
} from '../../lib/core/checkpoint.js';

describe('checkpoints: one strict parser for every store', () => {
  it('reads the forms the stores write', () => {
    expect(parsePositionCheckpoint(undefined)).toBe(0);
    expect(parsePositionCheckpoint('0')).toBe(0);
    expect(parsePositionCheckpoint(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseTransactionCheckpoint(undefined)).toEqual(['0', '0']);
    expect(parseTransactionCheckpoint('18446744073709551615:42')).toEqual([
      '18446744073709551615',
      '42',
    ]);
  });

  it.each([
    ['position past 2^53 - 1', () => parsePositionCheckpoint(String(2 ** 53))],
    ['txid past 2^64 - 1', () => parseTransactionCheckpoint('18446744073709551616:0')],
    ['a transaction form where a position is expected', () => parsePositionCheckpoint('1:2')],
    ['a position where a transaction form is expected', () => parseTransactionCheckpoint('12')],
    ['a leading zero in either part', () => parseTransactionCheckpoint('1:02')],
    ['unicode digits', () => parsePositionCheckpoint('١٢')],
    ['a trailing newline', () => parsePositionCheckpoint('12\n')],
  ])('refuses %s', (_label, parse) => {
    expect(parse).toThrow(InvalidCheckpointError);
  });

  it('orders checkpoints number by number, beyond 2^53, and refuses garbage when comparing', () => {
    expect(compareCheckpoints('9007199254740993:1', '9007199254740992:5')).toBe(1);
    expect(compareCheckpoints('2:10', '2:9')).toBe(1);
    expect(compareCheckpoints('7', '7')).toBe(0);
    expect(compareCheckpoints('3', '12')).toBe(-1);
    expect(() => compareCheckpoints(' 1', '2')).toThrow(InvalidCheckpointError);
  });

  it('writes the forms it reads, and finds the position in either', () => {
    expect(formatCheckpoint(42)).toBe('42');
    expect(formatCheckpoint('42', 18446744073709551615n)).toBe('18446744073709551615:42');
    expect(parseTransactionCheckpoint(formatCheckpoint(7, '3'))).toEqual(['3', '7']);
    expect(positionOf(undefined)).toBe(0);
    expect(positionOf('12')).toBe(12);
    expect(positionOf('9:12')).toBe(12);
    expect(compareCheckpoints(START_CHECKPOINT, '0:0')).toBe(0);
    expect(compareCheckpoints(START_CHECKPOINT, '0:1')).toBe(-1);
  });
});
