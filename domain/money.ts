/**
 * Money for people to read: minor units with the currency's own number of decimals, in the English form the
 * workflow's timeline sentences use (`€12,500.00`, `CHF 980.50`, `JP¥125,000`, `KWD 1.250`). Pure and deterministic:
 * safe in workflow code.
 */
const formats = new Map<string, Intl.NumberFormat>();
const digitsCache = new Map<string, number>();

/**
 * Minor digits of a currency as ISO 4217 defines them (EUR 2, JPY 0, KWD 3); 2 for a code Intl does not know.
 * Every amount in Segugio is an integer of minor units, so this is the only divisor anywhere.
 */
export function currencyDigits(currency: string): number {
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
 * Every ISO 4217 currency Intl knows whose minor digits are not 2 (JPY 0, KWD 3, …), for SQL that must divide by
 * the right power of ten (rankings across currencies). Computed once from the runtime's tables.
 */
export function currenciesWithOtherDigits(): Array<[string, number]> {
  const codes =
    (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('currency') ?? [];
  return codes.map((c): [string, number] => [c, currencyDigits(c)]).filter(([, d]) => d !== 2);
}

/** Minor units per major unit: 100 for EUR, 1 for JPY, 1000 for KWD. */
export const minorPerMajor = (currency: string): number => 10 ** currencyDigits(currency);

/** Minor units as a decimal number of major units (for charts and spreadsheets, never for arithmetic). */
export const toMajor = (minor: number, currency: string): number => minor / minorPerMajor(currency);

/** Major units typed by a person (e.g. "1250.5") to minor units, in the currency's digits; null when malformed. */
export function toMinor(major: number, currency: string): number | null {
  if (!Number.isFinite(major)) return null;
  const minor = Math.round(major * minorPerMajor(currency));
  return Number.isSafeInteger(minor) ? minor : null;
}

export function formatMoney(minor: number, currency: string): string {
  let f = formats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
    } catch {
      // Not an ISO-4217 code Intl knows: two decimals and the code.
      return `${currency} ${(minor / 100).toFixed(2)}`;
    }
    formats.set(currency, f);
  }
  return f.format(minor / minorPerMajor(currency));
}

/**
 * Sums amounts per currency: balances of different currencies are never added into one number (credit-limit use,
 * rating exposure). Returns the totals sorted by currency code.
 */
export function sumByCurrency(items: Array<{ currency: string; amountMinor: number }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const i of items) out.set(i.currency, (out.get(i.currency) ?? 0) + i.amountMinor);
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
