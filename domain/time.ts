/** Calendar helpers for the API side (workflows have their own pure ones). */
import { zonedInstant } from './calendar';

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

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Today's ISO date in a time zone. The formatter is built once per zone: building one costs far more than using it,
 * and the API asks for today on every read that counts days overdue (an unknown zone still throws a RangeError).
 */
export function todayIn(timeZone: string, now = new Date()): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f.format(now);
}
