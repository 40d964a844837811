/**
 * Money for people to read: minor units with the currency's own number of decimals, in the English form the
 * workflow's timeline sentences use (`€12,500.00`, `CHF 980.50`). Pure and deterministic: safe in workflow code.
 */
const formats = new Map<string, Intl.NumberFormat>();

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
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(minor / 10 ** digits);
}
