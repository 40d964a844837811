/**
 * The control tower's figures. Pipeline, aging, DSO and promise-kept come from the reports API only; disputes and
 * legal cases by how long they have been stuck, and blocked customers, from the console's read-only helper. A part
 * that cannot be loaded is returned as its error, and the page says so where the figures would be: no silent
 * second source.
 */
import { ENUMS } from '../enums.js';

/**
 * @template T
 * @typedef {{ ok: true; value: T } | { ok: false; error: unknown }} Part
 */

/**
 * @template T
 * @param {Promise<T>} p
 * @returns {Promise<Part<T>>}
 */
const settle = (p) =>
  p.then(
    (value) => ({ ok: /** @type {const} */ (true), value }),
    (error) => ({ ok: /** @type {const} */ (false), error }),
  );

/**
 * @param {(path: string, opts?: any) => Promise<any>} api
 * @param {Record<string, string>} filters
 */
export async function loadTower(api, filters) {
  const reportFilters = {
    area: filters.area,
    collectorId: filters.collector,
    salespersonId: filters.salesperson,
    segment: filters.segment,
  };
  // Snapshots are kept per single dimension: the first filter chosen picks the trend line.
  const [dimension, key] = [
    ['area', filters.area],
    ['collector', filters.collector],
    ['salesperson', filters.salesperson],
    ['segment', filters.segment],
  ].find(([, v]) => v) ?? ['all', undefined];
  const [stuck, pipeline, aging, trends, dso, promises] = await Promise.all([
    settle(api('/console/api/tower', { query: filters })),
    settle(api('/v1/reports/pipeline', { query: reportFilters })),
    settle(api('/v1/reports/aging', { query: reportFilters })),
    settle(api('/v1/reports/trends', { query: { dimension, key } })),
    settle(api('/v1/reports/dso', { query: reportFilters })),
    settle(api('/v1/reports/promises', { query: reportFilters })),
  ]);
  const currency = 'EUR';
  /** @type {Part<Array<{ stage: string; count: number; balanceMinor: number }>>} */
  const pipe = pipeline.ok
    ? {
        ok: true,
        value: ENUMS.activeStages.map((stage) => {
          const s = (pipeline.value?.total?.stages ?? []).find((/** @type {any} */ x) => x.stage === stage);
          return { stage, count: s?.invoices ?? 0, balanceMinor: s?.balanceMinor ?? 0 };
        }),
      }
    : pipeline;
  /** @type {Part<Array<{ bucket: string; count: number; balanceMinor: number }>>} */
  const ages = aging.ok
    ? {
        ok: true,
        value: ENUMS.agingBuckets.map((bucket) => ({
          bucket,
          count: aging.value?.total?.[bucket]?.count ?? 0,
          balanceMinor: aging.value?.total?.[bucket]?.balanceMinor ?? 0,
        })),
      }
    : aging;
  // Monthly snapshots (written by the reports' Schedule) plus the current 90 days as the last point.
  const points = trends.ok ? (trends.value?.points ?? []).slice(-5) : [];
  const current = new Date().toISOString().slice(0, 7);
  /** @type {Part<Array<{ month: string; dso: number | null }>>} */
  const dsoLine =
    trends.ok && dso.ok
      ? {
          ok: true,
          value: [
            ...points.map((/** @type {any} */ p) => ({ month: p.month.slice(0, 7), dso: round(p.metrics?.dso) })),
            { month: current, dso: round(dso.value?.total?.dso) },
          ],
        }
      : { ok: false, error: trends.ok ? /** @type {any} */ (dso).error : trends.error };
  /** @type {Part<Array<{ month: string; rate: number | null }>>} */
  const kept =
    trends.ok && promises.ok
      ? {
          ok: true,
          value: [
            ...points.map((/** @type {any} */ p) => ({
              month: p.month.slice(0, 7),
              rate: p.metrics?.promiseKeptRate == null ? null : p.metrics.promiseKeptRate / 100,
            })),
            {
              month: current,
              rate: promises.value?.total?.keptRate == null ? null : promises.value.total.keptRate / 100,
            },
          ],
        }
      : { ok: false, error: trends.ok ? /** @type {any} */ (promises).error : trends.error };
  return { currency, stuck, pipeline: pipe, aging: ages, dso: dsoLine, promiseKept: kept };
}

const round = (/** @type {number | null | undefined} */ v) => (v == null ? null : Math.round(v));
