/**
 * The internal rating A–E of a customer, from payment behaviour over the last 12 months, explained factor by factor.
 * The features come from one SQL query (for one customer or all of them); the scoring is pure (`scoreRating`) and its
 * scale is documented in docs/reports.md. Customer.rating holds the grade; CustomerRating holds score and factors.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { minorPerMajorSql, num, sqlConstants } from './filters';
import { addDays, round } from './formulas';

import { GRADES, TERMINAL_STAGES, type Grade } from '../../workflows/contract';
import { termEndSql } from '../intake/term-end';

export { GRADES, type Grade };

const TERMINAL = sqlConstants(TERMINAL_STAGES);

export interface RatingFeatures {
  /**
   * Amount-weighted mean days late over 12 months: payments (paid − due), open overdue balances (today − due) and
   * balances written off (write-off − due).
   */
  weightedDaysLate: number | null;
  /** The same over the last 3 months and over the 9 before them (trend). */
  recentDaysLate: number | null;
  priorDaysLate: number | null;
  promisesKept: number;
  promisesBroken: number;
  disputesAccepted: number;
  disputesRejected: number;
  disputesPartial: number;
  disputesOpen: number;
  exposureMinor: number;
  creditLimitMinor: number | null;
  /** Invoices that fell due in the 12 months (or are still open): with none there is no history to judge. */
  invoicesConsidered: number;
  /** Days since the customer's latest write-off (any age), null when none. */
  daysSinceWriteOff?: number | null;
  /** How long a write-off forces grade E, days (SEGUGIO_RATING_WRITE_OFF_DAYS when computed). */
  writeOffLockDays?: number | null;
}

export interface RatingFactor {
  factor: 'lateness' | 'promises' | 'disputes' | 'exposure' | 'trend' | 'history' | 'writeOff';
  /** Points added to the base score of 100 (negative: worse). */
  points: number;
  value: number | null;
  detail: string;
}

export interface RatingResult {
  rating: Grade;
  score: number;
  factors: RatingFactor[];
}

/** Score thresholds: A ≥ 85, B ≥ 70, C ≥ 55, D ≥ 40, otherwise E. */
export function gradeOf(score: number): Grade {
  if (score >= 85) return 'A';
  if (score >= 70) return 'B';
  if (score >= 55) return 'C';
  if (score >= 40) return 'D';
  return 'E';
}

/** The score a customer without history gets: a neutral C. */
export const NO_HISTORY_SCORE = 60;

/** A write-off keeps the customer at E for this long unless configured otherwise (SEGUGIO_RATING_WRITE_OFF_DAYS). */
export const DEFAULT_WRITE_OFF_LOCK_DAYS = 365;

/**
 * Points lost for the weighted average days late: a piecewise-linear curve through these knots (days, points), flat
 * after the last. Two thirds of a point per day up to 45 days (−30, a B–C payer), then steeper, so that 60 days
 * late on average is a D (−46 → 54), 120 days an E (−61 → 39), 365 days −85.
 */
export const LATENESS_CURVE: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [45, -30],
  [60, -46],
  [120, -61],
  [365, -85],
];

export function latenessPoints(days: number): number {
  const d = Math.max(0, days);
  for (let i = 1; i < LATENESS_CURVE.length; i++) {
    const [x0, y0] = LATENESS_CURVE[i - 1];
    const [x1, y1] = LATENESS_CURVE[i];
    if (d <= x1) return Math.round(y0 + ((d - x0) * (y1 - y0)) / (x1 - x0));
  }
  return LATENESS_CURVE[LATENESS_CURVE.length - 1][1];
}

/** Pure scoring: 100 plus the (mostly negative) points of each factor, clamped to 0..100; a recent write-off is E. */
export function scoreRating(x: RatingFeatures): RatingResult {
  const scored = scoreFactors(x);
  const lock = x.writeOffLockDays ?? DEFAULT_WRITE_OFF_LOCK_DAYS;
  const since = x.daysSinceWriteOff;
  if (since === null || since === undefined || since > lock) return scored;
  // A balance given up is the worst evidence there is: E for the configured period, whatever the averages say.
  const forced = Math.min(scored.score, 39);
  return {
    rating: 'E',
    score: forced,
    factors: [
      ...scored.factors,
      {
        factor: 'writeOff',
        points: forced - scored.score,
        value: since,
        detail: `balance written off ${since} days ago: grade E for ${lock} days after a write-off`,
      },
    ],
  };
}

function scoreFactors(x: RatingFeatures): RatingResult {
  if (x.invoicesConsidered === 0 && x.promisesBroken + x.promisesKept === 0) {
    return {
      rating: gradeOf(NO_HISTORY_SCORE),
      score: NO_HISTORY_SCORE,
      factors: [
        {
          factor: 'history',
          points: NO_HISTORY_SCORE - 100,
          value: 0,
          detail: 'no invoice due in the last 12 months: neutral rating',
        },
      ],
    };
  }
  const factors: RatingFactor[] = [];
  const wdl = x.weightedDaysLate ?? 0;
  factors.push({
    factor: 'lateness',
    points: latenessPoints(wdl),
    value: round(wdl, 1),
    detail: `weighted average ${round(wdl, 1)} days late over 12 months`,
  });
  factors.push({
    factor: 'promises',
    points: -Math.min(20, 7 * x.promisesBroken),
    value: x.promisesBroken,
    detail: `${x.promisesBroken} broken and ${x.promisesKept} kept promises in 12 months`,
  });
  const disputePoints = -Math.min(15, 5 * x.disputesRejected + 2 * x.disputesPartial + 1 * x.disputesOpen);
  factors.push({
    factor: 'disputes',
    points: disputePoints,
    value: x.disputesRejected + x.disputesPartial + x.disputesOpen + x.disputesAccepted,
    detail:
      `${x.disputesRejected} rejected, ${x.disputesPartial} partly accepted, ${x.disputesOpen} open, ` +
      `${x.disputesAccepted} accepted disputes in 12 months (accepted ones do not count against the customer)`,
  });
  const util = x.creditLimitMinor && x.creditLimitMinor > 0 ? x.exposureMinor / x.creditLimitMinor : null;
  factors.push({
    factor: 'exposure',
    points: util === null ? 0 : util > 1 ? -15 : util > 0.8 ? -7 : 0,
    value: util === null ? null : round(util * 100, 1),
    detail:
      util === null
        ? 'no credit limit set: exposure not judged'
        : `open balance at ${round(util * 100, 1)}% of the credit limit`,
  });
  const delta = x.recentDaysLate !== null && x.priorDaysLate !== null ? x.recentDaysLate - x.priorDaysLate : null;
  factors.push({
    factor: 'trend',
    points: delta === null ? 0 : delta > 10 ? -10 : delta > 5 ? -5 : delta < -10 ? 5 : 0,
    value: delta === null ? null : round(delta, 1),
    detail:
      delta === null
        ? 'not enough history for a trend'
        : `last 3 months ${round(x.recentDaysLate ?? 0, 1)} days late vs ${round(x.priorDaysLate ?? 0, 1)} in the 9 before`,
  });
  const score = Math.max(0, Math.min(100, 100 + factors.reduce((s, f) => s + f.points, 0)));
  return { rating: gradeOf(score), score, factors };
}

type FeatureRow = {
  customer_id: string;
  late_w: unknown;
  late_amt: unknown;
  recent_w: unknown;
  recent_amt: unknown;
  prior_w: unknown;
  prior_amt: unknown;
  considered: unknown;
  kept: unknown;
  broken: unknown;
  d_acc: unknown;
  d_rej: unknown;
  d_part: unknown;
  d_open: unknown;
  exposure: unknown;
  credit_limit: unknown;
  wo_since: unknown;
};

/** Today's ISO date in UTC (ratings are a daily measure; the nightly run happens well after midnight). */
const today = (): string => new Date().toISOString().slice(0, 10);

export interface RatingOptions {
  /** Days a write-off forces grade E (SEGUGIO_RATING_WRITE_OFF_DAYS); default 365. */
  writeOffLockDays?: number;
  /** The currency of credit limits (SEGUGIO_DEFAULT_CURRENCY): exposure counts only balances in it; default EUR. */
  creditLimitCurrency?: string;
}

async function features(
  db: Db,
  asOf: string,
  customerId?: string,
  opts: RatingOptions = {},
): Promise<Map<string, RatingFeatures>> {
  const y = addDays(asOf, -365);
  const q = addDays(asOf, -91);
  const one = customerId ? Prisma.sql`AND c.id = ${customerId}` : Prisma.empty;
  const major = minorPerMajorSql(Prisma.sql`i.currency`);
  const rows = await db.$queryRaw<FeatureRow[]>(Prisma.sql`
    WITH lat AS (
      -- payments of the last 12 months, weighted by amount, and today's open overdue balances
      -- weights in major units of each invoice's currency (yen and dinars are not cents)
      SELECT i."customerId" AS cid, p."amountMinor"::numeric / ${major} AS w, GREATEST(0, p."paidOn" - ${termEndSql()}) AS late,
        p."paidOn" > ${q}::date AS recent
      FROM "Payment" p JOIN "Invoice" i ON i.id = p."invoiceId"
      WHERE p."paidOn" > ${y}::date AND p."paidOn" <= ${asOf}::date ${customerId ? Prisma.sql`AND i."customerId" = ${customerId}` : Prisma.empty}
      UNION ALL
      SELECT i."customerId", i."balanceMinor"::numeric / ${major}, ${asOf}::date - ${termEndSql()}, TRUE
      FROM "Invoice" i
      WHERE i."closedAt" IS NULL AND i."balanceMinor" > 0 AND ${termEndSql()} < ${asOf}::date
        AND i.stage NOT IN ${TERMINAL}
        ${customerId ? Prisma.sql`AND i."customerId" = ${customerId}` : Prisma.empty}
      UNION ALL
      -- balances written off in the 12 months count as late until the day they were given up
      SELECT i."customerId", i."balanceMinor"::numeric / ${major}, GREATEST(0, i."closedAt"::date - ${termEndSql()}), i."closedAt" > ${q}::date
      FROM "Invoice" i
      WHERE i.stage = 'WRITTEN_OFF' AND i."balanceMinor" > 0
        AND i."closedAt" > ${y}::date AND i."closedAt" < (${asOf}::date + 1)
        ${customerId ? Prisma.sql`AND i."customerId" = ${customerId}` : Prisma.empty}
    ),
    l AS (
      SELECT cid, SUM(w * late) AS late_w, SUM(w) AS late_amt,
        SUM(w * late) FILTER (WHERE recent) AS recent_w, SUM(w) FILTER (WHERE recent) AS recent_amt,
        SUM(w * late) FILTER (WHERE NOT recent) AS prior_w, SUM(w) FILTER (WHERE NOT recent) AS prior_amt
      FROM lat GROUP BY cid
    ),
    inv AS (
      SELECT i."customerId" AS cid,
        COUNT(*) FILTER (WHERE i."dueDate" > ${y}::date OR i."closedAt" IS NULL) AS considered,
        -- exposure against the credit limit: only balances in the limit's currency (never a sum across currencies)
        SUM(i."balanceMinor") FILTER (
          WHERE i."closedAt" IS NULL AND i.stage NOT IN ${TERMINAL} AND i.currency = ${opts.creditLimitCurrency ?? 'EUR'}
        ) AS exposure
      FROM "Invoice" i
      WHERE (i."dueDate" > ${y}::date OR i."closedAt" IS NULL) ${customerId ? Prisma.sql`AND i."customerId" = ${customerId}` : Prisma.empty}
      GROUP BY i."customerId"
    ),
    pr AS (
      SELECT i."customerId" AS cid, COUNT(*) FILTER (WHERE pp.status = 'KEPT') AS kept,
        COUNT(*) FILTER (WHERE pp.status = 'BROKEN') AS broken
      FROM "PaymentPromise" pp JOIN "Invoice" i ON i.id = pp."invoiceId"
      WHERE pp."promisedDate" > ${y}::date AND pp."promisedDate" <= ${asOf}::date
        ${customerId ? Prisma.sql`AND i."customerId" = ${customerId}` : Prisma.empty}
      GROUP BY i."customerId"
    ),
    wo AS (
      -- the latest write-off of any age: a recent one forces grade E (scoreRating)
      SELECT i."customerId" AS cid, MIN(${asOf}::date - i."closedAt"::date) AS since
      FROM "Invoice" i
      WHERE i.stage = 'WRITTEN_OFF' AND i."closedAt" < (${asOf}::date + 1)
        ${customerId ? Prisma.sql`AND i."customerId" = ${customerId}` : Prisma.empty}
      GROUP BY i."customerId"
    ),
    di AS (
      SELECT i."customerId" AS cid,
        COUNT(*) FILTER (WHERE d.status = 'ACCEPTED') AS d_acc, COUNT(*) FILTER (WHERE d.status = 'REJECTED') AS d_rej,
        COUNT(*) FILTER (WHERE d.status = 'PARTIAL') AS d_part, COUNT(*) FILTER (WHERE d.status = 'OPEN') AS d_open
      FROM "Dispute" d JOIN "Invoice" i ON i.id = d."invoiceId"
      WHERE d."openedAt" > ${y}::date ${customerId ? Prisma.sql`AND i."customerId" = ${customerId}` : Prisma.empty}
      GROUP BY i."customerId"
    )
    SELECT c.id AS customer_id, l.late_w, l.late_amt, l.recent_w, l.recent_amt, l.prior_w, l.prior_amt,
      COALESCE(inv.considered, 0) AS considered, COALESCE(pr.kept, 0) AS kept, COALESCE(pr.broken, 0) AS broken,
      COALESCE(di.d_acc, 0) AS d_acc, COALESCE(di.d_rej, 0) AS d_rej, COALESCE(di.d_part, 0) AS d_part,
      COALESCE(di.d_open, 0) AS d_open, COALESCE(inv.exposure, 0) AS exposure, c."creditLimitMinor" AS credit_limit,
      wo.since AS wo_since
    FROM "Customer" c
    LEFT JOIN l ON l.cid = c.id LEFT JOIN inv ON inv.cid = c.id LEFT JOIN pr ON pr.cid = c.id LEFT JOIN di ON di.cid = c.id
    LEFT JOIN wo ON wo.cid = c.id
    WHERE TRUE ${one}`);
  const ratio = (w: unknown, a: unknown): number | null => (num(a) > 0 ? num(w) / num(a) : null);
  const out = new Map<string, RatingFeatures>();
  for (const r of rows) {
    out.set(r.customer_id, {
      weightedDaysLate: ratio(r.late_w, r.late_amt),
      recentDaysLate: ratio(r.recent_w, r.recent_amt),
      priorDaysLate: ratio(r.prior_w, r.prior_amt),
      promisesKept: num(r.kept),
      promisesBroken: num(r.broken),
      disputesAccepted: num(r.d_acc),
      disputesRejected: num(r.d_rej),
      disputesPartial: num(r.d_part),
      disputesOpen: num(r.d_open),
      exposureMinor: num(r.exposure),
      creditLimitMinor: r.credit_limit == null ? null : num(r.credit_limit),
      invoicesConsidered: num(r.considered),
      daysSinceWriteOff: r.wo_since == null ? null : num(r.wo_since),
      writeOffLockDays: opts.writeOffLockDays ?? DEFAULT_WRITE_OFF_LOCK_DAYS,
    });
  }
  return out;
}

type Rated = { customerId: string; features: RatingFeatures } & RatingResult;

const FEATURE_KEYS: Array<keyof RatingFeatures> = [
  'weightedDaysLate',
  'recentDaysLate',
  'priorDaysLate',
  'promisesKept',
  'promisesBroken',
  'disputesAccepted',
  'disputesRejected',
  'disputesPartial',
  'disputesOpen',
  'exposureMinor',
  'creditLimitMinor',
  'invoicesConsidered',
  'daysSinceWriteOff',
  'writeOffLockDays',
];

/**
 * `beforeStore` runs with the grade changes a recomputation is about to store, before it stores them: if it throws,
 * nothing is stored, so a retry finds the same changes again (the policy rerouting relies on this).
 */
export interface StoreHooks {
  beforeStore?: (changes: GradeChange[]) => Promise<void>;
}

/** A customer whose grade changed with a recomputation. */
export interface GradeChange {
  customerId: string;
  previous: string | null;
  rating: string;
}

/**
 * Writes ratings with one statement per table and batch. The stored explanation is the features (a dozen numbers);
 * factors and their wording are derived from them on reading (`scoreRating` is pure). The batch travels as one
 * tab-separated text parameter: through the driver adapter, many array elements or a large JSON document cost
 * far more per customer than a compact text.
 */
async function store(db: Db, results: Rated[], at: Date): Promise<GradeChange[]> {
  const changed: GradeChange[] = [];
  for (let i = 0; i < results.length; i += 10_000) {
    const lines = results.slice(i, i + 10_000).map((r) => {
      if (/[\t\n]/.test(r.customerId))
        throw new Error(`customer id with a tab or newline: ${JSON.stringify(r.customerId)}`);
      return [r.customerId, r.rating, r.score, ...FEATURE_KEYS.map((k) => r.features[k] ?? '')].join('\t');
    });
    const batch = lines.join('\n');
    const fields = FEATURE_KEYS.flatMap((k, j) => [
      Prisma.raw(`'${k}'`),
      Prisma.raw(`NULLIF(a[${j + 4}], '')::float8`),
    ]);
    await db.$executeRaw`
      INSERT INTO "CustomerRating" ("customerId", rating, score, factors, "computedAt")
      SELECT a[1], a[2], a[3]::int, jsonb_build_object(${Prisma.join(fields)}), ${at}
      FROM (SELECT string_to_array(line, E'\t') AS a FROM string_to_table(${batch}, E'\n') AS line) x
      ON CONFLICT ("customerId") DO UPDATE
        SET rating = EXCLUDED.rating, score = EXCLUDED.score, factors = EXCLUDED.factors, "computedAt" = EXCLUDED."computedAt"`;
    changed.push(
      ...(await db.$queryRaw<GradeChange[]>`
      UPDATE "Customer" c SET rating = x.a[2], "updatedAt" = ${at}
      FROM (
        SELECT x0.a, c0.rating AS previous
        FROM (SELECT string_to_array(line, E'\t') AS a FROM string_to_table(${batch}, E'\n') AS line) x0
        JOIN "Customer" c0 ON c0.id = x0.a[1]
      ) x
      WHERE c.id = x.a[1] AND c.rating IS DISTINCT FROM x.a[2]
      RETURNING c.id AS "customerId", x.previous, c.rating`),
    );
  }
  return changed;
}

/** Recomputes one customer's rating (after a payment, promise or dispute) and stores it; returns it explained. */
export async function recomputeRating(
  db: Db,
  customerId: string,
  asOf = today(),
  hooks: StoreHooks = {},
  opts: RatingOptions = {},
): Promise<(RatingResult & { customerId: string; previous: string | null }) | null> {
  const prev = await db.customer.findUnique({ where: { id: customerId }, select: { rating: true } });
  if (!prev) return null;
  const f = (await features(db, asOf, customerId, opts)).get(customerId);
  if (!f) return null;
  const result = { customerId, features: f, ...scoreRating(f) };
  if (hooks.beforeStore && prev.rating !== result.rating)
    await hooks.beforeStore([{ customerId, previous: prev.rating, rating: result.rating }]);
  await store(db, [result], new Date());
  const { features: _features, ...explained } = result;
  return { ...explained, previous: prev.rating };
}

/**
 * Recomputes every customer's rating (the nightly schedule); returns how many there were, how many changed grade
 * (`changes`: who, from, to) and the distribution.
 */
export async function recomputeAllRatings(
  db: Db,
  asOf = today(),
  hooks: StoreHooks = {},
  opts: RatingOptions = {},
): Promise<{ customers: number; changed: number; changes: GradeChange[]; byGrade: Record<Grade, number> }> {
  const all = await features(db, asOf, undefined, opts);
  const results = [...all.entries()].map(([customerId, f]) => ({ customerId, features: f, ...scoreRating(f) }));
  if (hooks.beforeStore) {
    const stored = new Map(
      (await db.customer.findMany({ select: { id: true, rating: true } })).map((c) => [c.id, c.rating]),
    );
    const coming = results
      .filter((r) => stored.has(r.customerId) && stored.get(r.customerId) !== r.rating)
      .map((r) => ({ customerId: r.customerId, previous: stored.get(r.customerId) ?? null, rating: r.rating }));
    if (coming.length) await hooks.beforeStore(coming);
  }
  const changes = await store(db, results, new Date());
  const byGrade = { A: 0, B: 0, C: 0, D: 0, E: 0 } as Record<Grade, number>;
  for (const r of results) byGrade[r.rating]++;
  return { customers: results.length, changed: changes.length, changes, byGrade };
}

/**
 * A customer's rating computed now from the data, without storing anything (for a customer never rated yet); null for
 * an unknown customer.
 */
export async function previewRating(db: Db, customerId: string, asOf = today()) {
  const exists = await db.customer.findUnique({ where: { id: customerId }, select: { id: true } });
  if (!exists) return null;
  const f = (await features(db, asOf, customerId)).get(customerId);
  if (!f) return null;
  const r = scoreRating(f);
  return { customerId, rating: r.rating, score: r.score, factors: r.factors, features: f, computedAt: null };
}

/** The stored explanation of a customer's rating (factors derived from the stored features), or null. */
export async function ratingExplanation(db: Db, customerId: string) {
  const row = await db.customerRating.findUnique({ where: { customerId } });
  if (!row) return null;
  const features = row.factors as unknown as RatingFeatures;
  return {
    customerId,
    rating: row.rating as Grade,
    score: row.score,
    factors: scoreRating(features).factors,
    features,
    computedAt: row.computedAt.toISOString(),
  };
}
