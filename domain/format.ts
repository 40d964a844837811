/**
 * Locale-aware formatting of money, dates and rates for what a person reads (letters, messages, statements): it-IT,
 * en-GB, fr-FR. Pure (Intl only), so every layer above the domain shares one way of writing an amount or a date.
 */
import type { Language } from '../workflows/contract';

export const LOCALES: Record<Language, string> = { it: 'it-IT', en: 'en-GB', fr: 'fr-FR' };

/** pdfkit's standard fonts are WinAnsi: the narrow no-break space French uses becomes an ordinary no-break space. */
const winAnsi = (s: string): string => s.replace(/\u202f/g, '\u00a0');

export function money(minor: number, currency: string, lang: Language): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return winAnsi(
    // Italian CLDR data omits the separator in 4-digit amounts (4800,50 €); letters group always (4.800,50 €).
    new Intl.NumberFormat(LOCALES[lang], {
      style: 'currency',
      currency,
      useGrouping: 'always',
    } as unknown as Intl.NumberFormatOptions).format(minor / 10 ** digits),
  );
}

/** Minor units per major unit of a currency (100 for EUR, 1 for JPY). */
export function minorPerMajor(currency: string): number {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return 10 ** digits;
}

export function longDate(iso: string, lang: Language): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  const s = winAnsi(new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'long', timeZone: 'UTC' }).format(d));
  // The first of the month is an ordinal in both languages: "1° luglio", "1er juillet" (CLDR prints a bare "1").
  if (d.getUTCDate() === 1 && lang === 'it') return s.replace(/^1(?=\s)/, '1°');
  if (d.getUTCDate() === 1 && lang === 'fr') return s.replace(/^1(?=\s)/, '1er');
  return s;
}

export function shortDate(iso: string, lang: Language): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return new Intl.DateTimeFormat(LOCALES[lang], {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(d);
}

export function percent(bp: number, lang: Language): string {
  return winAnsi(
    new Intl.NumberFormat(LOCALES[lang], {
      style: 'percent',
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }).format(bp / 10000),
  );
}

export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

export function addDays(iso: string, days: number): string {
  const t = Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)) + days);
  return new Date(t).toISOString().slice(0, 10);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function escapeXml(s: string): string {
  return escapeHtml(s);
}

/** A label's colon: French typography puts a (no-break) space before it ("Total dû : …"). */
export const colon = (lang: Language): string => (lang === 'fr' ? '\u00a0:' : ':');

/** A customer's postal address as the lines under their name: street; postcode, city (province); a foreign country. */
export function postalAddressLines(a: {
  addressLine: string | null;
  postalCode: string | null;
  city: string | null;
  province: string | null;
  country: string | null;
}): string[] {
  return [
    a.addressLine,
    [a.postalCode, a.city, a.province ? `(${a.province})` : null].filter(Boolean).join(' '),
    a.country && a.country !== 'IT' ? a.country : null,
  ].filter((l): l is string => Boolean(l && l.trim()));
}
