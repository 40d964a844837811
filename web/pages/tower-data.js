/**
 * The control tower's figures. Pipeline, aging, DSO and promise-kept come from the reports API (issue 6) when the
 * server has it; what the reports do not cover — disputes and legal cases by how long they have been stuck, blocked
 * customers — and every figure when the reports are absent, come from the console's read-only summary.
 */
const STAGES = [
  'OPEN',
  'PRE_DUE',
  'REMINDER',
  'CALL',
  'PROMISE_WAIT',
  'REPAYMENT_PLAN',
  'ORDER_BLOCK',
  'FORMAL_NOTICE',
  'LEGAL',
];
const BUCKETS = [
  ['NOT_DUE', 'not_due'],
  ['1_30', 'd1_30'],
  ['31_60', 'd31_60'],
  ['61_90', 'd61_90'],
  ['91_180', 'd91_180'],
  ['OVER_180', 'over_180'],
];

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
  const optional = (p) => p.catch(() => null);
  const [stuck, pipeline, aging, trends, dso, promises] = await Promise.all([
    api('/console/api/tower', { query: { ...filters, only: 'stuck' } }),
    optional(api('/v1/reports/pipeline', { query: reportFilters })),
    optional(api('/v1/reports/aging', { query: reportFilters })),
    optional(api('/v1/reports/trends', { query: { dimension, key } })),
    optional(api('/v1/reports/dso', { query: reportFilters })),
    optional(api('/v1/reports/promises', { query: reportFilters })),
  ]);
  if (!pipeline || !aging) return { currency: 'EUR', ...(await api('/console/api/tower', { query: filters })) };
  const data = { currency: 'EUR', ...stuck };

  data.source = 'reports';
  const stages = pipeline.total?.stages ?? [];
  data.pipeline = STAGES.map((stage) => {
    const s = stages.find((x) => x.stage === stage);
    return { stage, count: s?.invoices ?? 0, balanceMinor: s?.balanceMinor ?? 0 };
  });
  data.aging = BUCKETS.map(([bucket, k]) => ({
    bucket,
    count: aging.total?.[k]?.count ?? 0,
    balanceMinor: aging.total?.[k]?.balanceMinor ?? 0,
  }));
  // Monthly snapshots (written by the reports' Schedule) plus the current 90 days as the last point.
  const points = (trends?.points ?? []).slice(-5);
  const current = new Date().toISOString().slice(0, 7);
  data.dso = [
    ...points.map((p) => ({ month: p.month.slice(0, 7), dso: round(p.metrics?.dso) })),
    { month: current, dso: round(dso?.total?.dso) },
  ];
  const keptRate = promises?.total?.keptRate;
  data.promiseKept = [
    ...points.map((p) => ({
      month: p.month.slice(0, 7),
      rate: p.metrics?.promiseKeptRate == null ? null : p.metrics.promiseKeptRate / 100,
    })),
    { month: current, rate: keptRate == null ? null : keptRate / 100 },
  ];
  return data;
}

const round = (v) => (v == null ? null : Math.round(v));
