/**
 * The bundled rate tables (data/ecb-rates.json), typed. The ReferenceRate table in PostgreSQL, updatable through
 * the API (`PUT /v1/reference-rates/:validFrom`, contexts/rates/service.ts) or the CLI (`segugio rates set`), takes
 * precedence over these values where both have a half-year.
 */
import table from '../data/ecb-rates.json';
import type { RatePoint } from './interest';

export const BUNDLED_REFERENCE_RATES: RatePoint[] = table.rates.map((r) => ({
  validFrom: r.validFrom,
  rateBp: r.rateBp,
}));
export const BUNDLED_LEGAL_RATES: RatePoint[] = table.legalRates.map((r) => ({
  validFrom: r.validFrom,
  rateBp: r.rateBp,
}));
export const REFERENCE_RATES_SOURCE = `${table.source} (compiled ${table.compiledOn})`;

/** Overlays rows (e.g. from the database) on a base table: same validFrom → the overlay wins. */
export function mergeRates(base: RatePoint[], overlay: RatePoint[]): RatePoint[] {
  const byDate = new Map(base.map((r) => [r.validFrom, r.rateBp]));
  for (const r of overlay) byDate.set(r.validFrom, r.rateBp);
  return [...byDate.entries()]
    .map(([validFrom, rateBp]) => ({ validFrom, rateBp }))
    .sort((a, b) => a.validFrom.localeCompare(b.validFrom));
}

/**
 * Validates a reference-rate entry before it is stored (API, seed): it must start a half-year (1 January or 1 July)
 * and be a plausible rate in basis points. Returns the problems, field by field; empty when valid.
 */
export function validateReferenceRate(input: {
  validFrom: unknown;
  rateBp: unknown;
}): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (typeof input.validFrom !== 'string' || !/^\d{4}-(01|07)-01$/.test(input.validFrom)) {
    problems.push({ path: 'validFrom', message: 'must be 1 January or 1 July of a year (YYYY-01-01 or YYYY-07-01)' });
  }
  if (
    typeof input.rateBp !== 'number' ||
    !Number.isInteger(input.rateBp) ||
    input.rateBp < -1000 ||
    input.rateBp > 5000
  ) {
    problems.push({ path: 'rateBp', message: 'must be an integer number of basis points between -1000 and 5000' });
  }
  return problems;
}
