/**
 * ISO-8601 durations (`P7D`, `PT30S`, `-P5D`, `P1Y2M3W4DT5H6M7.5S`) and the date arithmetic the workflows need.
 * Pure: no clock, no time-zone database. Years and months are calendar units applied in UTC; weeks, days and
 * smaller units are fixed lengths (a day is 24 hours), which is what a dunning timer means by "7 days".
 */

export interface Duration {
  sign: 1 | -1;
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const PATTERN =
  /^([+-])?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

const DAY_MS = 86_400_000;

/** Parses an ISO-8601 duration; throws a RangeError naming the input when it is malformed. */
export function parseDuration(text: string): Duration {
  const m = PATTERN.exec(text.trim());
  // `P` alone, `PT` alone or a trailing `T` are not durations.
  if (!m || /^[+-]?PT?$/.test(text.trim()) || text.trim().endsWith('T')) {
    throw new RangeError(`Invalid ISO-8601 duration: '${text}'`);
  }
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s.replace(',', '.')));
  return {
    sign: m[1] === '-' ? -1 : 1,
    years: n(m[2]),
    months: n(m[3]),
    weeks: n(m[4]),
    days: n(m[5]),
    hours: n(m[6]),
    minutes: n(m[7]),
    seconds: n(m[8]),
  };
}

/** True when `text` parses as an ISO-8601 duration. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** The fixed-length part (weeks and below) in milliseconds, unsigned. */
function fixedMillis(d: Duration): number {
  return Math.round((d.weeks * 7 + d.days) * DAY_MS + d.hours * 3_600_000 + d.minutes * 60_000 + d.seconds * 1000);
}

/** Adds a duration (possibly negative) to an instant given in epoch milliseconds; returns epoch milliseconds. */
export function addDuration(epochMs: number, duration: string | Duration): number {
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  let t = epochMs;
  const calendarMonths = d.years * 12 + d.months;
  if (calendarMonths !== 0) t = addMonthsUtc(t, d.sign * calendarMonths);
  return t + d.sign * fixedMillis(d);
}

/**
 * A duration's length in milliseconds measured from `fromEpochMs` (calendar units need an anchor). Signed.
 */
export function durationMillis(duration: string | Duration, fromEpochMs = 0): number {
  return addDuration(fromEpochMs, duration) - fromEpochMs;
}

/** Adds calendar months in UTC, clamping the day to the target month's length (31 Jan + 1M = 28/29 Feb). */
export function addMonthsUtc(epochMs: number, months: number): number {
  const date = new Date(epochMs);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + months;
  const targetYear = y + Math.floor(m / 12);
  const targetMonth = ((m % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  return Date.UTC(
    targetYear,
    targetMonth,
    day,
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` strictly (rejects 2025-02-30); returns midnight UTC in epoch milliseconds. */
export function parseIsoDate(text: string): number {
  const m = ISO_DATE.exec(text);
  if (!m) throw new RangeError(`Invalid ISO date: '${text}'`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(t).toISOString().slice(0, 10) !== text) throw new RangeError(`Invalid ISO date: '${text}'`);
  return t;
}

/** True when `text` is a valid `YYYY-MM-DD` date. */
export function isIsoDate(text: string): boolean {
  try {
    parseIsoDate(text);
    return true;
  } catch {
    return false;
  }
}

/** Parses an ISO instant (`2025-03-01T10:00:00Z`) or a date (midnight UTC); NaN-safe: throws on garbage. */
export function parseInstant(text: string): number {
  if (ISO_DATE.test(text)) return parseIsoDate(text);
  const t = Date.parse(text);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(text)) throw new RangeError(`Invalid ISO instant: '${text}'`);
  return t;
}

/** `YYYY-MM-DD` of an instant in UTC. */
export function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** ISO instant string. */
export function isoInstant(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Whole days from `fromMs` to `toMs`, never negative (days overdue). */
export function wholeDaysBetween(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / DAY_MS));
}
