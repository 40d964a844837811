/**
 * Languages, messages and formats. One catalogue (messages.js, ICU MessageFormat via intl-messageformat) for every
 * word; money, numbers and dates through Intl in the user's locale. The choice is remembered in localStorage.
 */
import { IntlMessageFormat } from './vendor/intl-messageformat.js';
import { MESSAGES } from './messages.js';

/** @typedef {'it' | 'en' | 'fr'} Lang */

/** @type {readonly Lang[]} */
export const LANGS = ['it', 'en', 'fr'];
/** @type {Record<Lang, string>} */
const LOCALES = { it: 'it-IT', en: 'en-GB', fr: 'fr-FR' };
const STORE = 'segugio.lang';

/** @param {unknown} l @returns {l is Lang} */
const isLang = (l) => typeof l === 'string' && /** @type {readonly string[]} */ (LANGS).includes(l);

/** @type {Lang} */
let lang = (() => {
  // globalThis.: the unit tests load this module in Node, where there is no storage and no document.
  const saved = globalThis.localStorage?.getItem(STORE);
  return isLang(saved) ? saved : 'it';
})();

export const getLang = () => lang;
export const locale = () => LOCALES[lang];

/** @param {string} l */
export function setLang(l) {
  lang = isLang(l) ? l : 'it';
  globalThis.localStorage?.setItem(STORE, lang);
  if (globalThis.document) document.documentElement.lang = lang;
}

/** @type {Map<string, IntlMessageFormat>} */
const compiled = new Map();

/** True when the catalogue has `key` (in the current language or in Italian, the reference). */
export const has = (/** @type {string} */ key) => key in MESSAGES[lang] || key in MESSAGES.it;

/**
 * A message with its values filled in (ICU: `{n, plural, one {…} other {…}}`, `{x, select, …}`, `{n, number}`).
 * A key missing in the language falls back to Italian, then to the key itself (visible, never silent).
 * @param {string} key
 * @param {Record<string, string | number | boolean | null | undefined>} [values]
 * @returns {string}
 */
export function t(key, values = {}) {
  const table = /** @type {Record<string, string>} */ (MESSAGES[lang]);
  const source = table[key] ?? /** @type {Record<string, string>} */ (MESSAGES.it)[key];
  if (source === undefined) return key;
  const id = `${lang}\u0000${key}`;
  let f = compiled.get(id);
  if (!f) {
    f = new IntlMessageFormat(source, LOCALES[lang]);
    compiled.set(id, f);
  }
  /** @type {Record<string, string | number>} */
  const v = {};
  for (const [k, x] of Object.entries(values))
    v[k] = x === null || x === undefined ? '' : typeof x === 'boolean' ? String(x) : x;
  return String(f.format(v));
}

/** A code (stage, channel, outcome, reason…) in words; a code the catalogue does not know is shown as it is. */
export const code = (/** @type {string | null | undefined} */ c) =>
  c === null || c === undefined || c === '' ? '' : has(`code.${c}`) ? t(`code.${c}`) : String(c);

// ---------------------------------------------------------------------------------------------------------------
// Money: integer minor units in and out, the currency's own digits (EUR 2, JPY 0, KWD 3), never cents on screen.
// ---------------------------------------------------------------------------------------------------------------

/** @type {Map<string, number>} */
const digitsCache = new Map();
/** How many minor-unit digits a currency has (ISO 4217 as Intl knows it): EUR 2, JPY 0, KWD 3. */
export function currencyDigits(/** @type {string} */ currency) {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    digitsCache.set(currency, d);
  }
  return d;
}

/**
 * Integer minor units → "12.500,00 €" (it), "€12,500.00" (en), "12 500,00 €" (fr); thousands always grouped, so
 * "7.800,00 €" sits next to "12.100,00 €" in a column.
 * @param {number | null | undefined} minor
 * @param {string} [currency]
 */
export function money(minor, currency = 'EUR') {
  if (minor === null || minor === undefined || Number.isNaN(Number(minor))) return '—';
  const digits = currencyDigits(currency);
  return new Intl.NumberFormat(locale(), {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    useGrouping: 'always',
  }).format(Number(minor) / 10 ** digits);
}

/** Short money for chart labels: "12,5 Mln €". */
export const moneyShort = (/** @type {number} */ minor, currency = 'EUR') =>
  new Intl.NumberFormat(locale(), {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(Number(minor) / 10 ** currencyDigits(currency));

/** Minor units → the number a person types in an amount field, in their locale, without the symbol: "12.500,00". */
export function amountText(/** @type {number} */ minor, currency = 'EUR') {
  const digits = currencyDigits(currency);
  return new Intl.NumberFormat(locale(), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    useGrouping: 'always',
  }).format(minor / 10 ** digits);
}

/**
 * What a person typed in an amount field → integer minor units; '' → undefined; anything else → NaN.
 * Accepts the user's locale and the usual other one: "12.500", "12.500,00", "12500,5" in Italian or French
 * ("12 500,00" too), "12,500.00" and "12500.5" in English; a currency symbol or code around it is ignored. A
 * separator followed by exactly three digits (and repeated so) is a thousands separator in the locale that groups
 * with it; with both separators, the last one is the decimal mark. More decimals than the currency has → NaN.
 * @param {string} text
 * @param {string} [currency]
 * @param {Lang} [language]
 * @returns {number | undefined}
 */
export function parseAmount(text, currency = 'EUR', language = lang) {
  const s = String(text ?? '')
    .replace(/[\s\u00a0\u202f']/g, (m) => (m === "'" ? '' : ' '))
    .replace(/[€$£¥]|[A-Z]{3}/g, '')
    .trim();
  if (!s) return undefined;
  const compact = s.replace(/ (?=\d{3}(\D|$))/g, '');
  if (!/^-?\d[\d.,]*$/.test(compact)) return Number.NaN;
  const groupMark = language === 'en' ? ',' : '.';
  const lastDot = compact.lastIndexOf('.');
  const lastComma = compact.lastIndexOf(',');
  let intPart = compact;
  let frac = '';
  if (lastDot >= 0 && lastComma >= 0) {
    const dec = lastDot > lastComma ? '.' : ',';
    const grp = dec === '.' ? ',' : '.';
    const at = compact.lastIndexOf(dec);
    intPart = compact.slice(0, at);
    frac = compact.slice(at + 1);
    if (!new RegExp(`^-?\\d{1,3}(\\${grp}\\d{3})*$`).test(intPart) || frac.includes(grp)) return Number.NaN;
    intPart = intPart.split(grp).join('');
  } else if (lastDot >= 0 || lastComma >= 0) {
    const mark = lastDot >= 0 ? '.' : ',';
    const parts = compact.split(mark);
    const grouping = parts.length > 1 && parts.slice(1).every((p) => p.length === 3) && /^-?\d{1,3}$/.test(parts[0]);
    // "12.500" is twelve thousand five hundred for an Italian ("," would be the decimal); "12.50" is not a group.
    if (grouping && (mark === groupMark || parts.length > 2)) intPart = parts.join('');
    else if (parts.length === 2) [intPart, frac] = parts;
    else return Number.NaN;
  }
  const digits = currencyDigits(currency);
  if (frac.length > digits || !/^-?\d+$/.test(intPart) || (frac && !/^\d+$/.test(frac))) return Number.NaN;
  const minor =
    Number(intPart.replace('-', '')) * 10 ** digits + Number((frac || '0').padEnd(digits, '0').slice(0, digits) || 0);
  return intPart.startsWith('-') ? -minor : minor;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates and numbers
// ---------------------------------------------------------------------------------------------------------------

const TZ = 'Europe/Rome';
/** A calendar date ("2026-12-11") or an instant → "11 dic 2026" (it), "11 Dec 2026" (en), "11 déc. 2026" (fr). */
export const date = (/** @type {string | null | undefined} */ iso) =>
  iso
    ? new Intl.DateTimeFormat(locale(), {
        dateStyle: 'medium',
        // A bare calendar date has no time zone: read it as it is written.
        timeZone: /^\d{4}-\d{2}-\d{2}$/.test(iso) ? 'UTC' : TZ,
      }).format(new Date(iso))
    : '—';
export const dateTime = (/** @type {string | null | undefined} */ iso) =>
  iso
    ? new Intl.DateTimeFormat(locale(), { dateStyle: 'short', timeStyle: 'short', timeZone: TZ }).format(new Date(iso))
    : '—';
/**
 * Day, month and year in the order the user's locale writes a numeric date: ['day', 'month', 'year'] for it-IT,
 * en-GB and fr-FR (an en-US locale would put the month first). @param {Lang} language
 */
const dateOrder = (language) =>
  new Intl.DateTimeFormat(LOCALES[language], { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' })
    .formatToParts(new Date(Date.UTC(2026, 10, 30)))
    .map((p) => p.type)
    .filter((x) => x === 'day' || x === 'month' || x === 'year');

/**
 * A calendar date as a date field shows it in the user's locale: "2026-12-11" → "11/12/2026"; '' for none.
 * The console's date fields are text fields (a browser's own date picker follows the browser's language, not the
 * console's: mm/dd/yyyy inside an Italian page). @param {string | null | undefined} iso @param {Lang} [language]
 */
export function formatDateInput(iso, language = lang) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  if (!m) return '';
  const parts = { year: m[1], month: m[2], day: m[3] };
  return dateOrder(language)
    .map((k) => parts[k])
    .join('/');
}

/**
 * What a person typed in a date field → "YYYY-MM-DD"; '' → undefined; anything else (31/02/2026, 12/2026) → null.
 * Reads the locale's order with "/", "." or "-" between the parts, a one-digit day or month, and a two-digit year as
 * 20xx; an ISO date (2026-12-11) is read as such in every language.
 * @param {string} text @param {Lang} [language] @returns {string | null | undefined}
 */
export function parseDate(text, language = lang) {
  const s = String(text ?? '').trim();
  if (!s) return undefined;
  let y, mo, d;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (iso) [y, mo, d] = iso.slice(1).map(Number);
  else {
    const m = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s);
    if (!m) return null;
    /** @type {Record<string, number>} */
    const by = {};
    dateOrder(language).forEach((k, i) => (by[k] = Number(m[i + 1])));
    [y, mo, d] = [by.year < 100 ? 2000 + by.year : by.year, by.month, by.day];
  }
  const at = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || at.getUTCFullYear() !== y || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d) return null;
  return at.toISOString().slice(0, 10);
}

/** Today's calendar date, `plusDays` on, in the console's time zone (Europe/Rome): "2026-12-02". */
export function todayIso(plusDays = 0) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().slice(0, 10);
}

/** Milliseconds the console's time zone is ahead of UTC at `ms`. @param {number} ms */
function zoneOffset(ms) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: TZ,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, Number(p.value)]),
  );
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - ms;
}

/**
 * A date and time as a date-and-time field shows it: an instant → "11/12/2026 10:30" in the user's order, the time
 * on the 24-hour clock, both in the console's time zone (Europe/Rome, as every time the console shows); '' for none.
 * @param {string | null | undefined} iso @param {Lang} [language]
 */
export function formatDateTimeInput(iso, language = lang) {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const local = new Date(ms + zoneOffset(ms)).toISOString();
  return `${formatDateInput(local.slice(0, 10), language)} ${local.slice(11, 16)}`;
}

/**
 * What a person typed in a date-and-time field → the instant (ISO, UTC); '' → undefined; anything else → null. The
 * date as `parseDate` reads it, then a time "10:30", "10.30" or "9:05" on the 24-hour clock, in the console's time
 * zone; "2026-12-11T10:30" (what a browser's own field sends) is read the same way.
 * @param {string} text @param {Lang} [language] @returns {string | null | undefined}
 */
export function parseDateTime(text, language = lang) {
  const s = String(text ?? '').trim();
  if (!s) return undefined;
  const m = /^(\S+?)(?:\s+|T)(\d{1,2})[:.](\d{2})$/.exec(s);
  if (!m) return null;
  const day = parseDate(m[1], language);
  const [hour, minute] = [Number(m[2]), Number(m[3])];
  if (!day || hour > 23 || minute > 59) return null;
  const [y, mo, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, mo - 1, d, hour, minute);
  // The instant whose wall clock in the zone reads `wall` (once more across a change of the clocks).
  let at = wall - zoneOffset(wall);
  at = wall - zoneOffset(at);
  return new Date(at).toISOString();
}

export const num = (/** @type {number} */ n) => new Intl.NumberFormat(locale()).format(n);
export const pct = (/** @type {number | null | undefined} */ x) =>
  x === null || x === undefined ? '—' : new Intl.NumberFormat(locale(), { style: 'percent' }).format(x);
