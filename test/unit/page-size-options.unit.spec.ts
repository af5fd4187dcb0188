import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, MAX_PAGE_SIZE, Projection } from 'nestjs-event-sourcing';
import { resolveSagaOptions } from '../../lib/saga/saga.options.js';

// A batch is one readAll page: a batch size the store would refuse must fail at startup instead.
describe('batch sizes are bounded by the largest page', () => {
  it.each([0, -1, 1.5, 'x', MAX_PAGE_SIZE + 1])('@Projection batchSize %j is refused', (size) => {
    expect(() => Projection('p', { batchSize: size as number })).toThrow(InvalidOptionsError);
  });

  it('@Projection accepts the largest page', () => {
    expect(() => Projection('p', { batchSize: MAX_PAGE_SIZE })).not.toThrow();
  });

  it('a saga batchSize over the largest page is refused, the largest page accepted', () => {
    expect(() => resolveSagaOptions('@DurableSaga(s)', { batchSize: MAX_PAGE_SIZE + 1 })).toThrow(
      /at most 10000/,
    );
    expect(resolveSagaOptions('@DurableSaga(s)', { batchSize: MAX_PAGE_SIZE }).batchSize).toBe(
      MAX_PAGE_SIZE,
    );
  });
});
