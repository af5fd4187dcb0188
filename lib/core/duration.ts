import { InvalidOptionsError } from './errors/invalid-options.error.js';

/** Milliseconds, or a number with a unit: `'500ms'`, `'30s'`, `'15m'`, `'2h'`, `'7d'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** The duration in milliseconds. @throws InvalidOptionsError for anything else */
export function parseDuration(value: Duration, where: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  } else if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
    if (match) return Math.round(Number(match[1]) * UNITS[match[2]]);
  }
  throw new InvalidOptionsError(
    where,
    `${JSON.stringify(value)} is not a duration; use milliseconds or a string such as '30s', '15m', '2h', '1d'`,
  );
}
