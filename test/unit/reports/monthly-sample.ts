/**
 * The figures the monthly PDF shows for the worked example of docs/reports.md (the integration test's data: segment
 * of two customers, March 2025, EUR), as the report queries return them, so the PDF renders without a database.
 * Each number is the hand-computed one from the worked example and the samples in docs/reports.md; February's trend
 * point is computed the same way (receivables 3,500 at 28 Feb on sales of 2,000 → DSO 49.0, current 2,000 → 28.0).
 */
import type { DsoFigures } from '../../../contexts/reports/kpis';
import type { MonthlyReportData } from '../../../contexts/reports/pdf';
import type { SnapshotMetrics } from '../../../contexts/reports/snapshots';

export const SAMPLE_SEGMENT = 'rep-worked-example';

const march: DsoFigures = {
  days: 31,
  receivablesBeginMinor: 350_000,
  receivablesEndMinor: 650_000,
  currentEndMinor: 400_000,
  pastDueEndMinor: 250_000,
  creditSalesMinor: 500_000,
  dso: 40.3,
  countBackDso: 52,
  countBackExhausted: false,
  bestPossibleDso: 24.8,
  add: 15.5,
  cei: 44.4,
  cashCollectedMinor: 150_000,
  ceiCash: 33.3,
};

const snapshot = (dso: number, best: number, add: number, cei: number): SnapshotMetrics => ({
  dso,
  countBackDso: dso,
  bestPossibleDso: best,
  add,
  cei,
  creditSalesMinor: 0,
  receivablesEndMinor: 0,
  pastDueEndMinor: 0,
  aging: {},
  promiseKeptRate: null,
  disputeRate: null,
  meanDaysToResolve: null,
});

const bucket = (count: number, balanceMinor: number) => ({ count, balanceMinor });

/** The worked example's March 2025 report (`segment=SAMPLE_SEGMENT`). */
export function workedExampleReport(): MonthlyReportData {
  return {
    dso: { total: march, groups: [] },
    dsoBySegment: { total: march, groups: [{ key: SAMPLE_SEGMENT, ...march }] },
    aging: {
      total: {
        totalMinor: 650_000,
        totalCount: 4,
        not_due: bucket(2, 400_000),
        d1_30: bucket(2, 250_000),
        d31_60: bucket(0, 0),
        d61_90: bucket(0, 0),
        d91_180: bucket(0, 0),
        over_180: bucket(0, 0),
      },
      groups: [],
    },
    promises: {
      total: {
        promises: 3,
        kept: 1,
        broken: 2,
        open: 0,
        cancelled: 0,
        keptMinor: 50_000,
        brokenMinor: 150_000,
        keptRate: 33.3,
        keptRateByAmount: 25,
      },
      groups: [],
    },
    disputes: {
      total: {
        invoicesIssued: 3,
        amountIssuedMinor: 500_000,
        invoicesDisputed: 2,
        amountDisputedMinor: 400_000,
        disputeRate: 66.7,
        disputeRateByAmount: 80,
        resolved: 2,
        accepted: 1,
        rejected: 1,
        partial: 0,
        meanDaysToResolve: 7.8,
        openAtEnd: 1,
      },
      groups: [],
    },
    reasons: {
      total: {
        recorded: 3,
        reasons: [
          { reason: 'LIQUIDITY', count: 2, share: 66.7, invoices: 2 },
          { reason: 'INVOICE_NOT_RECEIVED', count: 1, share: 33.3, invoices: 1 },
        ],
      },
      groups: [],
    },
    pipeline: {
      total: {
        stages: [
          { stage: 'OPEN', invoices: 2, balanceMinor: 400_000, share: 72.7, avgDaysPastDue: 0 },
          { stage: 'REMINDER', invoices: 1, balanceMinor: 150_000, share: 27.3, avgDaysPastDue: 19 },
        ],
      },
      groups: [],
    },
    legal: [
      {
        invoiceId: 'I2',
        invoiceNumber: 'I2',
        customerId: 'C1',
        customerName: 'Officine Nord S.r.l.',
        rating: 'B',
        stage: 'REMINDER',
        caseStatus: 'OPEN',
        position: 'DIFFIDA',
        balanceMinor: 150_000,
        recoveredSoFarMinor: 0,
        recoveryProbability: 0.575,
        claimMinor: 150_000,
        expectedRecoveryMinor: 86_250,
        costsSoFarMinor: 15_000,
        expectedCostsMinor: 310_000,
        expectedRecoveredCostsMinor: 0,
        netExpectedValueMinor: -223_750,
        benefitCostRatio: 0.28,
        recommendation: 'STOP',
        reason: 'the remaining costs exceed the expected recovery',
        steps: [],
        notes: [],
        unverified: ['LAWYER_FEE_NOT_VERIFIED'],
      },
    ],
    trend: [
      { month: '2025-02', key: '', metrics: snapshot(49, 28, 21, 0) },
      { month: '2025-03', key: '', metrics: snapshot(40.3, 24.8, 15.5, 44.4) },
    ],
  };
}
