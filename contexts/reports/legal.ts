/**
 * Legal cost-benefit: for each invoice in (or being considered for) legal action, the expected recovery
 * (balance × recovery probability by the case's current step and the customer's rating), the costs so far and still
 * expected, the net expected value and a recommendation. Sunk costs are shown but do not decide: only what is still
 * to gain and still to spend does. Defaults and their reasoning are in docs/reports.md; callers may override any.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { num, type ReportFilter, currencyOf, customerWhere } from './filters';
import { round } from './formulas';
import { GRADES, type Grade } from './rating';

/** Where a case stands: not started (considered for legal), or the last step recorded. */
export const LEGAL_POSITIONS = ['NOT_STARTED', 'DIFFIDA', 'DECRETO_INGIUNTIVO', 'PRECETTO', 'PIGNORAMENTO'] as const;
export type LegalPosition = (typeof LEGAL_POSITIONS)[number];

export interface LegalAssumptions {
  /** Probability of recovering the balance from this position, for a C-rated customer (0..1). */
  recoveryByPosition: Record<LegalPosition, number>;
  /** Multiplier on that probability by rating; the product is capped at `maxProbability`. */
  ratingFactor: Record<Grade, number>;
  maxProbability: number;
  /** Typical cost (minor units) of each step still ahead; a case pays for every step after its position. */
  stepCostMinor: Record<Exclude<LegalPosition, 'NOT_STARTED'>, number>;
  /** Go on only when expected recovery ≥ this multiple of the costs still expected (a margin for uncertainty). */
  minBenefitCostRatio: number;
}

export const DEFAULT_LEGAL_ASSUMPTIONS: LegalAssumptions = {
  recoveryByPosition: { NOT_STARTED: 0.55, DIFFIDA: 0.5, DECRETO_INGIUNTIVO: 0.45, PRECETTO: 0.4, PIGNORAMENTO: 0.35 },
  ratingFactor: { A: 1.3, B: 1.15, C: 1, D: 0.7, E: 0.4 },
  maxProbability: 0.95,
  stepCostMinor: { DIFFIDA: 15_000, DECRETO_INGIUNTIVO: 120_000, PRECETTO: 40_000, PIGNORAMENTO: 150_000 },
  minBenefitCostRatio: 1.5,
};

/** Overrides of any part of the assumptions (what a manager stores, or a request passes). */
export interface LegalAssumptionOverrides {
  recoveryByPosition?: Partial<LegalAssumptions['recoveryByPosition']>;
  ratingFactor?: Partial<LegalAssumptions['ratingFactor']>;
  maxProbability?: number;
  stepCostMinor?: Partial<LegalAssumptions['stepCostMinor']>;
  minBenefitCostRatio?: number;
}

/** `base` with `o` laid over it, field by field. */
export function withOverrides(base: LegalAssumptions, o: LegalAssumptionOverrides = {}): LegalAssumptions {
  const defined = <T extends object>(x: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(x ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    recoveryByPosition: { ...base.recoveryByPosition, ...defined(o.recoveryByPosition) },
    ratingFactor: { ...base.ratingFactor, ...defined(o.ratingFactor) },
    maxProbability: o.maxProbability ?? base.maxProbability,
    stepCostMinor: { ...base.stepCostMinor, ...defined(o.stepCostMinor) },
    minBenefitCostRatio: o.minBenefitCostRatio ?? base.minBenefitCostRatio,
  };
}

export const LEGAL_ASSUMPTIONS_KEY = 'legal-assumptions';

/** The overrides a manager stored (`PUT /v1/reports/legal/assumptions`), or none. */
export async function storedLegalOverrides(
  db: Db,
): Promise<{ overrides: LegalAssumptionOverrides; updatedAt: string | null; updatedBy: string | null }> {
  const row = await db.reportSetting.findUnique({ where: { key: LEGAL_ASSUMPTIONS_KEY } });
  return {
    overrides: (row?.value ?? {}) as LegalAssumptionOverrides,
    updatedAt: row?.updatedAt.toISOString() ?? null,
    updatedBy: row?.updatedBy ?? null,
  };
}

/** The assumptions in force: the defaults with the stored overrides. */
export async function legalAssumptionsInForce(db: Db): Promise<LegalAssumptions> {
  return withOverrides(DEFAULT_LEGAL_ASSUMPTIONS, (await storedLegalOverrides(db)).overrides);
}

/** Replaces the stored overrides (an empty object goes back to the defaults). */
export async function storeLegalOverrides(
  db: Db,
  overrides: LegalAssumptionOverrides,
  actorId: string | null,
): Promise<LegalAssumptions> {
  await db.reportSetting.upsert({
    where: { key: LEGAL_ASSUMPTIONS_KEY },
    create: { key: LEGAL_ASSUMPTIONS_KEY, value: overrides as object, updatedBy: actorId },
    update: { value: overrides as object, updatedBy: actorId },
  });
  return withOverrides(DEFAULT_LEGAL_ASSUMPTIONS, overrides);
}

const STEP_ORDER: LegalPosition[] = ['NOT_STARTED', 'DIFFIDA', 'DECRETO_INGIUNTIVO', 'PRECETTO', 'PIGNORAMENTO'];

export interface LegalInput {
  balanceMinor: number;
  position: LegalPosition;
  rating: Grade;
  costsSoFarMinor: number;
}

export interface LegalEvaluation {
  recoveryProbability: number;
  expectedRecoveryMinor: number;
  costsSoFarMinor: number;
  expectedCostsMinor: number;
  /** Expected recovery − costs still expected (sunk costs excluded). */
  netExpectedValueMinor: number;
  benefitCostRatio: number | null;
  recommendation: 'GO_ON' | 'STOP';
  reason: string;
}

/** Pure evaluation of one case under the assumptions. */
export function evaluateLegal(x: LegalInput, a: LegalAssumptions = DEFAULT_LEGAL_ASSUMPTIONS): LegalEvaluation {
  const p = Math.min(a.maxProbability, a.recoveryByPosition[x.position] * (a.ratingFactor[x.rating] ?? 1));
  const probability = round(p, 3);
  const expectedRecovery = Math.round(x.balanceMinor * probability);
  const ahead = STEP_ORDER.slice(STEP_ORDER.indexOf(x.position) + 1) as Array<Exclude<LegalPosition, 'NOT_STARTED'>>;
  const expectedCosts = ahead.reduce((s, step) => s + a.stepCostMinor[step], 0);
  const nev = expectedRecovery - expectedCosts;
  const ratio = expectedCosts > 0 ? round(expectedRecovery / expectedCosts, 2) : null;
  const go = nev > 0 && (ratio === null || ratio >= a.minBenefitCostRatio);
  return {
    recoveryProbability: probability,
    expectedRecoveryMinor: expectedRecovery,
    costsSoFarMinor: x.costsSoFarMinor,
    expectedCostsMinor: expectedCosts,
    netExpectedValueMinor: nev,
    benefitCostRatio: ratio,
    recommendation: go ? 'GO_ON' : 'STOP',
    reason: go
      ? `expected recovery covers the remaining costs ${ratio === null ? '(none left)' : `${ratio}×`}`
      : nev <= 0
        ? 'the remaining costs exceed the expected recovery'
        : `expected recovery is only ${ratio}× the remaining costs (minimum ${a.minBenefitCostRatio}×)`,
  };
}

export interface LegalCaseReport extends LegalEvaluation {
  invoiceId: string;
  invoiceNumber: string;
  customerId: string;
  customerName: string;
  rating: Grade;
  stage: string;
  caseStatus: string | null;
  position: LegalPosition;
  balanceMinor: number;
  recoveredSoFarMinor: number;
}

/**
 * Every invoice in FORMAL_NOTICE or LEGAL, or with a legal case not closed or declined, evaluated, largest balance
 * first (at most `limit`). `invoiceId` narrows it to one (the approval task and the customer 360 show one case).
 */
export async function legalReport(
  db: Db,
  f: ReportFilter & { invoiceId?: string; customerId?: string; limit?: number } = {},
  assumptions: LegalAssumptions = DEFAULT_LEGAL_ASSUMPTIONS,
): Promise<LegalCaseReport[]> {
  const rows = await db.$queryRaw<
    Array<{
      invoice_id: string;
      number: string;
      customer_id: string;
      name: string;
      rating: string;
      stage: string;
      status: string | null;
      balance: unknown;
      costs: unknown;
      recovered: unknown;
      last_step: string | null;
    }>
  >(Prisma.sql`
    SELECT i.id AS invoice_id, i."externalNumber" AS number, c.id AS customer_id, c.name, c.rating, i.stage,
      lc.status, i."balanceMinor" AS balance,
      COALESCE(ev.costs, lc."costsMinor", 0) AS costs, COALESCE(ev.recovered, lc."recoveredMinor", 0) AS recovered,
      ev.last_step
    FROM "Invoice" i
    JOIN "Customer" c ON c.id = i."customerId"
    LEFT JOIN "LegalCase" lc ON lc."invoiceId" = i.id
    LEFT JOIN (
      SELECT e."caseId", SUM(e."costMinor") AS costs, SUM(e."recoveredMinor") AS recovered,
        (ARRAY_AGG(e.step ORDER BY e.date DESC, e."createdAt" DESC)
          FILTER (WHERE e.step IN ('DIFFIDA','DECRETO_INGIUNTIVO','PRECETTO','PIGNORAMENTO')))[1] AS last_step
      FROM "LegalCaseEvent" e GROUP BY e."caseId"
    ) ev ON ev."caseId" = lc.id
    WHERE i."closedAt" IS NULL AND i."balanceMinor" > 0 AND i.currency = ${currencyOf(f)}
      AND (i.stage IN ('FORMAL_NOTICE','LEGAL') OR lc.status IN ('PENDING_APPROVAL','OPEN'))
      ${f.invoiceId ? Prisma.sql`AND i.id = ${f.invoiceId}` : Prisma.empty}
      ${f.customerId ? Prisma.sql`AND c.id = ${f.customerId}` : Prisma.empty}
      ${customerWhere(f)}
    ORDER BY i."balanceMinor" DESC, i.id
    ${f.limit ? Prisma.sql`LIMIT ${f.limit}` : Prisma.empty}`);
  return rows.map((r) => {
    const position = (r.last_step ?? 'NOT_STARTED') as LegalPosition;
    const rating: Grade = GRADES.find((g) => g === r.rating) ?? 'C';
    const balance = num(r.balance);
    const evaluation = evaluateLegal(
      { balanceMinor: balance, position, rating, costsSoFarMinor: num(r.costs) },
      assumptions,
    );
    return {
      invoiceId: r.invoice_id,
      invoiceNumber: r.number,
      customerId: r.customer_id,
      customerName: r.name,
      rating,
      stage: r.stage,
      caseStatus: r.status,
      position,
      balanceMinor: balance,
      recoveredSoFarMinor: num(r.recovered),
      ...evaluation,
    };
  });
}
