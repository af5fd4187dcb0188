import type { EventClass } from './serialization.types.js';

/** Exactly the format of `Date.prototype.toJSON` (ISO 8601, UTC, milliseconds, years 0000-9999). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * How Dates survive a JSON round trip: `JSON.stringify` writes a Date as `date.toJSON()`, a string
 * like `2024-05-01T12:00:00.000Z`. On the way back every string in exactly that format, at any
 * depth of plain objects and arrays, becomes a `Date` again; every other value is kept as it is.
 *
 * The rule is by shape, not by field: a string field that happens to hold such a text is revived
 * too. Store such values in another format (or give the event a static `fromPayload`) if that is
 * not wanted. Strings that match the pattern but are no real date (month 13) stay strings.
 *
 * Returns new objects and arrays; the input is not changed.
 */
export function reviveDates(value: unknown): unknown {
  if (typeof value === 'string') {
    if (!ISO_DATE.test(value)) return value;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) || date.toJSON() !== value ? value : date;
  }
  if (Array.isArray(value)) return value.map(reviveDates);
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = reviveDates(item);
    return copy;
  }
  return value;
}

/** An object made by `{}`, `JSON.parse` or `Object.create(null)`: no class instance, no array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Whether a payload of this class may hold Dates to revive. A class whose constructor declares
 * only string, number and boolean parameters (TypeScript's emitted `design:paramtypes`) has none,
 * and is assigned as parsed: no copy, no pattern test of every string. Without that metadata (no
 * constructor, or a build without emitDecoratorMetadata) the payload is revived, to be safe.
 */
export function mayHoldDates(cls: EventClass): boolean {
  const types: unknown = Reflect.getOwnMetadata('design:paramtypes', cls);
  if (!Array.isArray(types) || types.length === 0) return true;
  return !types.every((type) => type === String || type === Number || type === Boolean);
}
