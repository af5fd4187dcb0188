/**
 * The current time with microseconds, for databases where the library stamps events itself.
 * `Date` keeps only milliseconds; the ISO text keeps all six digits.
 */
export function preciseNow(): { date: Date; iso: string } {
  const micros = Math.round((performance.timeOrigin + performance.now()) * 1000);
  const date = new Date(Math.floor(micros / 1000));
  const iso = date.toISOString().replace('Z', `${String(micros % 1000).padStart(3, '0')}Z`);
  return { date, iso };
}
