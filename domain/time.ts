/** Calendar helpers for the API side (workflows have their own pure ones). */
import { localDate, zonedInstant } from './calendar';

/** UTC instant of local midnight at the start of `isoDate` in `timeZone`. */
export function zonedMidnight(isoDate: string, timeZone: string): Date {
  const [y, m, d] = isoDate.split('-').map(Number);
  return zonedInstant(y, m, d, 0, timeZone);
}

/** The instant an invoice becomes overdue: the start of the day after its due date, in the policy's time zone. */
export function overdueInstant(dueDate: string, timeZone: string): Date {
  const next = new Date(`${dueDate}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return zonedMidnight(next.toISOString().slice(0, 10), timeZone);
}

/** Whole days between the due date and `today` (negative before the due date). */
export function daysOverdue(dueDate: string, today: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / 86_400_000);
}

/**
 * Today's ISO date in a time zone, through the calendar's formatter (built once per zone; an unknown zone throws a
 * RangeError).
 */
export function todayIn(timeZone: string, now = new Date()): string {
  return localDate(now, timeZone);
}
