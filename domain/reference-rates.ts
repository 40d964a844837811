/**
 * The bundled rate tables (data/ecb-rates.json), typed. The ReferenceRate table in PostgreSQL, updatable through
 * the API, takes precedence over these values where both have a half-year.
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
