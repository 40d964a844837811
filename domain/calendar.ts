/**
 * Contact calendar: when a debtor may be phoned or texted. Pure (no I/O, no clock, no process.env) so that
 * workflows may import it as well as activities: every function takes the instant and the rules as arguments.
 *
 * Italian public holidays (L. 260/1949 and later amendments): 1 Jan, 6 Jan, Easter Sunday and Monday, 25 Apr,
 * 1 May, 2 Jun, 15 Aug, 1 Nov, 8 Dec, 25 and 26 Dec; 4 Oct (San Francesco) again a national holiday from 2026
 * (L. 151/2025). Local patron-saint days are not included; add them through `extraHolidays`.
 */

export interface ContactWindowRules {
  /** IANA time zone the hours are read in, e.g. Europe/Rome. */
  timeZone: string;
  /** First allowed minute of the day, minutes after local midnight (default 9:00). */
  startMinute: number;
  /** First forbidden minute of the evening, minutes after local midnight (default 20:00). */
  endMinute: number;
  /** Saturday window end (minutes after midnight); null = no contacts on Saturday; default same as weekdays. */
  saturdayEndMinute: number | null;
  /** Extra non-contact days as ISO dates (YYYY-MM-DD) or recurring MM-DD. */
  extraHolidays?: string[];
}

export const DEFAULT_CONTACT_WINDOW: ContactWindowRules = {
  timeZone: 'Europe/Rome',
  startMinute: 9 * 60,
  endMinute: 20 * 60,
  saturdayEndMinute: 20 * 60,
};

/** Parses "HH:MM-HH:MM" into minutes; throws on malformed input so a bad setting fails at boot. */
export function parseHoursRange(range: string): { startMinute: number; endMinute: number } {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(range.trim());
  if (!m) throw new Error(`invalid hours range "${range}", expected HH:MM-HH:MM`);
  const startMinute = Number(m[1]) * 60 + Number(m[2]);
  const endMinute = Number(m[3]) * 60 + Number(m[4]);
  if (startMinute >= endMinute || endMinute > 24 * 60) throw new Error(`invalid hours range "${range}"`);
  return { startMinute, endMinute };
}

/** Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher) as [month 1-12, day]. */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

const pad = (n: number): string => String(n).padStart(2, '0');
const isoDate = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;

/** Italian national public holidays of a year, as ISO dates, sorted. */
export function italianHolidays(year: number): string[] {
  const fixed = ['01-01', '01-06', '04-25', '05-01', '06-02', '08-15', '11-01', '12-08', '12-25', '12-26'];
  if (year >= 2026) fixed.push('10-04');
  const [em, ed] = easterSunday(year);
  const easter = Date.UTC(year, em - 1, ed);
  const monday = new Date(easter + 86_400_000);
  const dates = fixed.map((md) => `${year}-${md}`);
  dates.push(isoDate(year, em, ed), isoDate(year, monday.getUTCMonth() + 1, monday.getUTCDate()));
  return dates.sort();
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of an instant in a time zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday],
  };
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return isoDate(p.year, p.month, p.day);
}

/**
 * The last minute of the local day of `instant` in `timeZone` (23:59 there, whatever the DST): the due time of work
 * that is "today's", late from the next local day on.
 */
export function endOfLocalDay(instant: Date, timeZone: string): Date {
  const p = localParts(instant, timeZone);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  return new Date(
    zonedInstant(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, timeZone).getTime() - 60_000,
  );
}

/** The instant at which the wall clock of `timeZone` shows the given local date and minute of day. */
export function zonedInstant(year: number, month: number, day: number, minuteOfDay: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, Math.floor(minuteOfDay / 60), minuteOfDay % 60);
  // Two passes converge across DST changes; a wall time inside a spring-forward gap lands just after it.
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(guess), timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    guess += wall - shown;
  }
  return new Date(guess);
}

/** Whether a local date is a non-contact day: Sunday, an Italian public holiday, or an extra holiday. */
export function isNonContactDay(iso: string, weekday: number, rules: ContactWindowRules): boolean {
  if (weekday === 0) return true;
  if (weekday === 6 && rules.saturdayEndMinute === null) return true;
  const year = Number(iso.slice(0, 4));
  if (italianHolidays(year).includes(iso)) return true;
  const extra = rules.extraHolidays ?? [];
  return extra.includes(iso) || extra.includes(iso.slice(5));
}

/**
 * The first instant at or after `now` when an SMS or call may go out: `now` itself when allowed, otherwise the
 * start of the next allowed window (nights, Sundays and public holidays are skipped).
 */
export function nextContactSlot(now: Date, rules: ContactWindowRules = DEFAULT_CONTACT_WINDOW): Date {
  const start = localParts(now, rules.timeZone);
  // Walk local days from today; 30 days is far more than any run of holidays.
  for (let offset = 0; offset < 30; offset++) {
    const dayUtc = new Date(Date.UTC(start.year, start.month - 1, start.day + offset));
    const y = dayUtc.getUTCFullYear();
    const m = dayUtc.getUTCMonth() + 1;
    const d = dayUtc.getUTCDate();
    const weekday = dayUtc.getUTCDay();
    const iso = isoDate(y, m, d);
    if (isNonContactDay(iso, weekday, rules)) continue;
    const endMinute = weekday === 6 ? (rules.saturdayEndMinute ?? 0) : rules.endMinute;
    const open = zonedInstant(y, m, d, rules.startMinute, rules.timeZone);
    const close = zonedInstant(y, m, d, endMinute, rules.timeZone);
    if (now.getTime() >= close.getTime()) continue;
    return now.getTime() >= open.getTime() ? now : open;
  }
  throw new Error('no contact slot within 30 days: check the contact-window settings');
}

/** Whether an SMS or call may go out at `now`. */
export function isContactAllowed(now: Date, rules: ContactWindowRules = DEFAULT_CONTACT_WINDOW): boolean {
  return nextContactSlot(now, rules).getTime() === now.getTime();
}

/**
 * Which days a contractual or statutory term may end on. Art. 1187 c.c. ("se il termine scade in giorno festivo, è
 * prorogato di diritto al giorno seguente non festivo") and art. 2963 c.c. (the same for prescription) move a term
 * that ends on a public holiday — Sundays included (L. 260/1949) — to the next working day. Saturday is not a public
 * holiday in civil law (art. 155 c.p.c. treats it as one for procedural terms only), so a policy may opt in.
 */
export interface BusinessCalendar {
  /** Treat Saturday as a non-working day for due dates (policy setting `saturdayIsHoliday`). */
  saturdayIsHoliday?: boolean;
  /** Local holidays (patron saint): ISO dates or recurring MM-DD. */
  extraHolidays?: string[];
}

const DAY_MS = 86_400_000;

function isoToUtc(iso: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`invalid ISO date "${iso}"`);
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
}

/** Whether a term may end on this date: not a Sunday, not an Italian public holiday, not an opted-in Saturday. */
export function isBusinessDay(iso: string, cal: BusinessCalendar = {}): boolean {
  const weekday = new Date(isoToUtc(iso)).getUTCDay();
  if (weekday === 0) return false;
  if (weekday === 6 && cal.saturdayIsHoliday) return false;
  if (italianHolidays(Number(iso.slice(0, 4))).includes(iso)) return false;
  const extra = cal.extraHolidays ?? [];
  return !(extra.includes(iso) || extra.includes(iso.slice(5)));
}

/**
 * The day a payment term really ends (arts. 1187 and 2963 c.c.): the due date itself when it is a business day,
 * otherwise the next one. A debtor paying on that day is punctual: no interest, no EUR 40, no dunning.
 */
export function effectiveDueDate(dueDate: string, cal: BusinessCalendar = {}): string {
  let t = isoToUtc(dueDate);
  // The longest run of non-working days is Christmas to St Stephen plus a weekend: 14 days is ample.
  for (let i = 0; i < 14; i++) {
    const iso = new Date(t).toISOString().slice(0, 10);
    if (isBusinessDay(iso, cal)) return iso;
    t += DAY_MS;
  }
  throw new Error(`no business day within 14 days of ${dueDate}: check the extra holidays`);
}

/** The n-th business day (1-based) of a month, e.g. the 5th working day of January or July. */
export function nthBusinessDay(year: number, month: number, n: number, cal: BusinessCalendar = {}): string {
  let count = 0;
  for (let day = 1; day <= 31; day++) {
    const t = Date.UTC(year, month - 1, day);
    const iso = new Date(t).toISOString().slice(0, 10);
    if (Number(iso.slice(5, 7)) !== month) break;
    if (isBusinessDay(iso, cal) && ++count === n) return iso;
  }
  throw new Error(`month ${year}-${month} has fewer than ${n} business days`);
}
