import { randomUUID } from 'node:crypto';
import type { NewScheduledMessage } from '../../core/scheduled-message-store.js';

/** Due at `second` seconds past a fixed minute (whole seconds: every database keeps them exactly). */
export const at = (second: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, second));

/** A message of saga `s`, instance `i`, due at `at(second)`. */
export function message(second: number, extra: Partial<NewScheduledMessage> = {}) {
  return {
    id: randomUUID(),
    saga: 's',
    instance: 'i',
    key: undefined,
    kind: 'command',
    type: 'order.remind',
    payload: { orderId: 'o-1', lines: [1, 2] },
    metadata: { correlationId: 'c-1' },
    dueAt: at(second),
    ...extra,
  } satisfies NewScheduledMessage;
}
