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
import { lateInterestPerPrincipal } from '../../domain/interest';
import { BUNDLED_LEGAL_RATES } from '../../domain/reference-rates';
import { rateTable } from '../../contexts/rates/service';
import { termEndSql } from '../intake/term-end';

/** Where a case stands: not started (considered for legal), or the last step recorded. */
export const LEGAL_POSITIONS = ['NOT_STARTED', 'DIFFIDA', 'DECRETO_INGIUNTIVO', 'PRECETTO', 'PIGNORAMENTO'] as const;
export type LegalPosition = (typeof LEGAL_POSITIONS)[number];

/** A value bracket of a fee table: up to `upToMinor` (inclusive, euro cents; null = no upper bound). */
export interface FeeBracket {
  upToMinor: number | null;
  /** Euro cents; null = not entered yet (the product says so and uses the flat estimate of the step). */
  feeMinor: number | null;
}

export interface LegalAssumptions {
  /** Probability of recovering the claim from this position, for a C-rated customer (0..1). */
  recoveryByPosition: Record<LegalPosition, number>;
  /** Multiplier on that probability by rating; the product is capped at `maxProbability`. */
  ratingFactor: Record<Grade, number>;
  maxProbability: number;
  /**
   * Flat cost of each step (minor units) where no figure of law applies: the diffida, the precetto, the pignoramento,
   * and the lawyer's fee of a decreto ingiuntivo while `lawyerFeesDecretoIngiuntivo` has no figure for the bracket.
   */
  stepCostMinor: Record<Exclude<LegalPosition, 'NOT_STARTED'>, number>;
  /** Chance that a step is needed once the one before it has been taken (the first step ahead always is). */
  reachProbability: Record<Exclude<LegalPosition, 'NOT_STARTED' | 'DIFFIDA'>, number>;
  /** Share of a step's cost the debtor is ordered to repay (art. 91 c.p.c.; art. 641 c.p.c.; art. 95 c.p.c.). */
  recoverableShare: Record<Exclude<LegalPosition, 'NOT_STARTED'>, number>;
  /** Contributo unificato brackets, DPR 115/2002 art. 13 comma 1 (euro cents). */
  contributoUnificato: FeeBracket[];
  /** Art. 13 comma 3: the contributo is halved for the procedimento d'ingiunzione. */
  decretoIngiuntivoFeeFactor: number;
  /** Anticipazioni forfettarie, DPR 115/2002 art. 30 (euro cents). */
  anticipazioniForfettarieMinor: number;
  /**
   * Lawyer's fee for a decreto ingiuntivo by claim value: DM 55/2014 parameters for "procedimenti monitori" as
   * updated by DM 147/2022. Not bundled (the figures could not be checked against the Gazzetta Ufficiale here):
   * a manager enters them; until then the flat `stepCostMinor.DECRETO_INGIUNTIVO` is used and each case says so.
   */
  lawyerFeesDecretoIngiuntivo: FeeBracket[];
  /** Go on only when expected recovery ≥ this multiple of the net costs still expected (a margin for uncertainty). */
  minBenefitCostRatio: number;
}

/** Value brackets of DM 55/2014 (the same for every table), euro cents. */
const DM55_BRACKETS = [110_000, 520_000, 2_600_000, 5_200_000, 26_000_000, 52_000_000, null] as const;

export const DEFAULT_LEGAL_ASSUMPTIONS: LegalAssumptions = {
  recoveryByPosition: { NOT_STARTED: 0.55, DIFFIDA: 0.5, DECRETO_INGIUNTIVO: 0.45, PRECETTO: 0.4, PIGNORAMENTO: 0.35 },
  ratingFactor: { A: 1.3, B: 1.15, C: 1, D: 0.7, E: 0.4 },
  maxProbability: 0.95,
  stepCostMinor: { DIFFIDA: 15_000, DECRETO_INGIUNTIVO: 120_000, PRECETTO: 40_000, PIGNORAMENTO: 150_000 },
  reachProbability: { DECRETO_INGIUNTIVO: 0.6, PRECETTO: 0.6, PIGNORAMENTO: 0.7 },
  recoverableShare: { DIFFIDA: 0, DECRETO_INGIUNTIVO: 1, PRECETTO: 1, PIGNORAMENTO: 1 },
  contributoUnificato: [
    { upToMinor: 110_000, feeMinor: 4_300 },
    { upToMinor: 520_000, feeMinor: 9_800 },
    { upToMinor: 2_600_000, feeMinor: 23_700 },
    { upToMinor: 5_200_000, feeMinor: 51_800 },
    { upToMinor: 26_000_000, feeMinor: 75_900 },
    { upToMinor: 52_000_000, feeMinor: 121_400 },
    { upToMinor: null, feeMinor: 168_600 },
  ],
  decretoIngiuntivoFeeFactor: 0.5,
  anticipazioniForfettarieMinor: 2_700,
  lawyerFeesDecretoIngiuntivo: DM55_BRACKETS.map((upToMinor) => ({ upToMinor, feeMinor: null })),
  minBenefitCostRatio: 1.5,
};

/** Where each default comes from, shown beside it (GET /v1/reports/legal/assumptions and docs/reports.md). */
export const LEGAL_SOURCES: Record<keyof LegalAssumptions, string> = {
  recoveryByPosition: 'estimate (not a figure of law): calibrate on closed cases (LegalCase.recoveredMinor)',
  ratingFactor: 'estimate (not a figure of law): internal rating A–E',
  maxProbability: 'estimate (not a figure of law)',
  stepCostMinor: 'estimate (not a figure of law): lawyer’s letter, precetto, pignoramento; the firm’s own tariffs',
  reachProbability: 'estimate (not a figure of law): share of cases that need the next step',
  recoverableShare:
    'art. 91 c.p.c. (costs follow the event), art. 641 c.p.c. (liquidated in the decree), art. 95 c.p.c. (execution costs)',
  contributoUnificato: 'DPR 30 maggio 2002 n. 115, art. 13 comma 1 (brackets as amended, in force since 2014)',
  decretoIngiuntivoFeeFactor: 'DPR 115/2002 art. 13 comma 3: halved for the procedimento d’ingiunzione',
  anticipazioniForfettarieMinor: 'DPR 115/2002 art. 30: anticipazioni forfettarie, EUR 27',
  lawyerFeesDecretoIngiuntivo:
    'DM 10 marzo 2014 n. 55 as updated by DM 13 agosto 2022 n. 147 (G.U. n. 236 of 8 October 2022), table of the procedimenti monitori: to be entered from your lawyer’s quote or the DM table — not bundled, because the figures could not be verified against the Gazzetta Ufficiale; until entered, the flat estimate stepCostMinor.DECRETO_INGIUNTIVO stands in and every figure that uses it says it is not verified',
  minBenefitCostRatio: 'policy choice: margin for the uncertainty of the estimates',
};

/** Overrides of any part of the assumptions (what a manager stores, or a request passes). */
export interface LegalAssumptionOverrides {
  recoveryByPosition?: Partial<LegalAssumptions['recoveryByPosition']>;
  ratingFactor?: Partial<LegalAssumptions['ratingFactor']>;
  maxProbability?: number;
  stepCostMinor?: Partial<LegalAssumptions['stepCostMinor']>;
  reachProbability?: Partial<LegalAssumptions['reachProbability']>;
  recoverableShare?: Partial<LegalAssumptions['recoverableShare']>;
  contributoUnificato?: FeeBracket[];
  decretoIngiuntivoFeeFactor?: number;
  anticipazioniForfettarieMinor?: number;
  lawyerFeesDecretoIngiuntivo?: FeeBracket[];
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
    reachProbability: { ...base.reachProbability, ...defined(o.reachProbability) },
    recoverableShare: { ...base.recoverableShare, ...defined(o.recoverableShare) },
    contributoUnificato: o.contributoUnificato ?? base.contributoUnificato,
    decretoIngiuntivoFeeFactor: o.decretoIngiuntivoFeeFactor ?? base.decretoIngiuntivoFeeFactor,
    anticipazioniForfettarieMinor: o.anticipazioniForfettarieMinor ?? base.anticipazioniForfettarieMinor,
    lawyerFeesDecretoIngiuntivo: o.lawyerFeesDecretoIngiuntivo ?? base.lawyerFeesDecretoIngiuntivo,
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
  /** Statutory interest accrued so far, and the EUR 40 (both recovered with the capital). */
  interestMinor?: number;
  compensationMinor?: number;
  /** Court fees are in euro: for another currency only the flat estimates are used, and the case says so. */
  currency?: string;
}

export interface LegalStepCost {
  step: Exclude<LegalPosition, 'NOT_STARTED'>;
  /** Chance the step is needed, from the case's position. */
  reachProbability: number;
  costMinor: number;
  courtFeeMinor: number;
  lawyerFeeMinor: number;
  /** Part of the cost the debtor is ordered to repay. */
  recoverableMinor: number;
  source: string;
}

export interface LegalEvaluation {
  recoveryProbability: number;
  /** Balance + accrued interest + EUR 40: what a court would award. */
  claimMinor: number;
  expectedRecoveryMinor: number;
  costsSoFarMinor: number;
  /** Σ cost of each step ahead × the chance of reaching it. */
  expectedCostsMinor: number;
  /** The recoverable part of those costs × the recovery probability. */
  expectedRecoveredCostsMinor: number;
  /** Expected recovery − (expected costs − expected recovered costs); sunk costs excluded. */
  netExpectedValueMinor: number;
  benefitCostRatio: number | null;
  recommendation: 'GO_ON' | 'STOP';
  reason: string;
  steps: LegalStepCost[];
  /** Figures that are estimates because a figure of law has not been entered (e.g. the DM 55/2014 lawyer fee). */
  notes: string[];
  /**
   * Stable codes of the same (the console and the PDF report say them in the reader's language):
   * `LAWYER_FEE_NOT_VERIFIED` — the decreto ingiuntivo's lawyer fee is the flat estimate, not a DM 55/2014 figure;
   * `COURT_FEES_NOT_COUNTED` — a claim in another currency, court fees left out.
   */
  unverified: Array<'LAWYER_FEE_NOT_VERIFIED' | 'COURT_FEES_NOT_COUNTED'>;
}

/** The fee of the bracket containing `valueMinor`. */
export function bracketFee(brackets: FeeBracket[], valueMinor: number): FeeBracket | undefined {
  return [...brackets]
    .sort((a, b) => (a.upToMinor ?? Infinity) - (b.upToMinor ?? Infinity))
    .find((b) => b.upToMinor === null || valueMinor <= b.upToMinor);
}

/** Pure evaluation of one case under the assumptions. */
export function evaluateLegal(x: LegalInput, a: LegalAssumptions = DEFAULT_LEGAL_ASSUMPTIONS): LegalEvaluation {
  const p = Math.min(a.maxProbability, a.recoveryByPosition[x.position] * (a.ratingFactor[x.rating] ?? 1));
  const probability = round(p, 3);
  const claim = x.balanceMinor + (x.interestMinor ?? 0) + (x.compensationMinor ?? 0);
  const expectedRecovery = Math.round(claim * probability);
  const euro = (x.currency ?? 'EUR') === 'EUR';
  const notes: string[] = [];
  const unverified = new Set<LegalEvaluation['unverified'][number]>();
  const ahead = STEP_ORDER.slice(STEP_ORDER.indexOf(x.position) + 1) as Array<Exclude<LegalPosition, 'NOT_STARTED'>>;
  let reach = 1;
  const steps: LegalStepCost[] = ahead.map((step, n) => {
    if (n > 0 && step !== 'DIFFIDA') reach *= a.reachProbability[step];
    let courtFeeMinor = 0;
    let lawyerFeeMinor = a.stepCostMinor[step];
    let source = LEGAL_SOURCES.stepCostMinor;
    if (step === 'DECRETO_INGIUNTIVO') {
      if (euro) {
        const cu = bracketFee(a.contributoUnificato, claim)?.feeMinor ?? 0;
        courtFeeMinor = Math.round(cu * a.decretoIngiuntivoFeeFactor) + a.anticipazioniForfettarieMinor;
      } else {
        notes.push('court fees are in euro: not counted for a claim in another currency (enter them in stepCostMinor)');
        unverified.add('COURT_FEES_NOT_COUNTED');
      }
      const dm = bracketFee(a.lawyerFeesDecretoIngiuntivo, claim);
      if (dm?.feeMinor !== null && dm?.feeMinor !== undefined && euro) {
        lawyerFeeMinor = dm.feeMinor;
        source = `${LEGAL_SOURCES.contributoUnificato}; ${LEGAL_SOURCES.lawyerFeesDecretoIngiuntivo.split(':')[0]}`;
      } else {
        notes.push(
          'lawyer fee of the decreto ingiuntivo: the DM 55/2014 (DM 147/2022) figure for this claim value is not entered; the flat estimate stepCostMinor.DECRETO_INGIUNTIVO is used (not verified)',
        );
        unverified.add('LAWYER_FEE_NOT_VERIFIED');
        source = `${LEGAL_SOURCES.contributoUnificato}; lawyer fee: ${LEGAL_SOURCES.stepCostMinor}`;
      }
    }
    const costMinor = courtFeeMinor + lawyerFeeMinor;
    return {
      step,
      reachProbability: round(reach, 3),
      costMinor,
      courtFeeMinor,
      lawyerFeeMinor,
      recoverableMinor: Math.round(costMinor * a.recoverableShare[step]),
      source,
    };
  });
  const expectedCosts = Math.round(steps.reduce((s, st) => s + st.costMinor * st.reachProbability, 0));
  const expectedRecovered = Math.round(
    steps.reduce((s, st) => s + st.recoverableMinor * st.reachProbability, 0) * probability,
  );
  const netCosts = expectedCosts - expectedRecovered;
  const nev = expectedRecovery - netCosts;
  const ratio = netCosts > 0 ? round(expectedRecovery / netCosts, 2) : null;
  const go = nev > 0 && (ratio === null || ratio >= a.minBenefitCostRatio);
  return {
    recoveryProbability: probability,
    claimMinor: claim,
    expectedRecoveryMinor: expectedRecovery,
    costsSoFarMinor: x.costsSoFarMinor,
    expectedCostsMinor: expectedCosts,
    expectedRecoveredCostsMinor: expectedRecovered,
    netExpectedValueMinor: nev,
    benefitCostRatio: ratio,
    recommendation: go ? 'GO_ON' : 'STOP',
    reason: go
      ? `expected recovery covers the remaining net costs ${ratio === null ? '(none left)' : `${ratio}×`}`
      : nev <= 0
        ? 'the remaining net costs exceed the expected recovery'
        : `expected recovery is only ${ratio}× the remaining net costs (minimum ${a.minBenefitCostRatio}×)`,
    steps,
    notes: [...new Set(notes)],
    unverified: [...unverified].sort(),
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
  f: ReportFilter & { invoiceId?: string; customerId?: string; limit?: number; asOf?: string } = {},
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
      due_date: Date;
      consumer: boolean;
      currency: string;
    }>
  >(Prisma.sql`
    SELECT i.id AS invoice_id, i."externalNumber" AS number, c.id AS customer_id, c.name, c.rating, i.stage,
      -- interest runs from the day after the term end (arts. 1187 and 2963 c.c.), as the letters claim it
      ${termEndSql()} AS due_date, c.consumer, i.currency,
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
  const rates = rows.length ? (await rateTable(db)).map((r) => ({ validFrom: r.validFrom, rateBp: r.rateBp })) : [];
  const today = f.asOf ?? new Date().toISOString().slice(0, 10);
  // Every case with the same due date, kind and currency shares its rate periods: walk them once per such group.
  const interestBy = new Map<string, ReturnType<typeof lateInterestPerPrincipal>>();
  return rows.map((r) => {
    const position = (r.last_step ?? 'NOT_STARTED') as LegalPosition;
    const rating: Grade = GRADES.find((g) => g === r.rating) ?? 'C';
    const balance = num(r.balance);
    // Interest on today's balance from the due date: what the claim is worth in court (a lower bound when part
    // payments were made, since their earlier interest is not counted).
    const dueDate = r.due_date.toISOString().slice(0, 10);
    const key = `${dueDate}|${r.consumer ? 1 : 0}|${r.currency}`;
    let interestOf = interestBy.get(key);
    if (!interestOf) {
      interestOf = lateInterestPerPrincipal({
        dueDate,
        asOf: today,
        currency: r.currency,
        consumer: r.consumer,
        referenceRates: rates,
        legalRates: BUNDLED_LEGAL_RATES,
      });
      interestBy.set(key, interestOf);
    }
    const interest = interestOf(balance);
    const evaluation = evaluateLegal(
      {
        balanceMinor: balance,
        position,
        rating,
        costsSoFarMinor: num(r.costs),
        interestMinor: interest.interestMinor,
        compensationMinor: interest.compensationMinor,
        currency: r.currency,
      },
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
