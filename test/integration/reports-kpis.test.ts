/**
 * Every KPI on the worked example of docs/reports.md (test/integration/reports-fixture.ts), against the real
 * PostgreSQL. Expected numbers are computed by hand in the comments; all queries filter on the example's own segment
 * so other test files sharing the database do not disturb them.
 *
 * The example, amounts in euro cents, period March 2025 (31 days; the day before it, 28 Feb, is "begin"):
 *   I1 C1 issued 15 Jan due 14 Feb 1,000.00 paid 10 Mar (PAID)
 *   I2 C1 issued 10 Feb due 12 Mar 2,000.00, 500.00 paid 20 Mar, balance 1,500.00 (REMINDER, legal case at DIFFIDA)
 *   I3 C2 issued  5 Mar due  4 Apr 3,000.00 open
 *   I4 C2 issued 20 Mar due 25 Mar 1,000.00 paid 1 Apr (PAID)
 *   I5 C2 issued  1 Oct 2024 due 31 Oct 2024 500.00 written off 15 Mar
 *   I6 C1 issued 25 Mar due 24 Apr 1,000.00 open
 */
import os from 'node:os';
import { customer360 } from '../../contexts/collections/customers';
import { createDb, type Db } from '../../infra/db';
import { evaluateLegal, legalReport } from '../../contexts/reports/legal';
import {
  agingReport,
  disputeReport,
  dsoReport,
  pipelineReport,
  promiseReport,
  reasonReport,
  recoveryReport,
} from '../../contexts/reports/kpis';
import { ratingExplanation, recomputeAllRatings, recomputeRating } from '../../contexts/reports/rating';
import { simulatePolicy } from '../../contexts/reports/simulate';
import { trend, writeMonthlySnapshot } from '../../contexts/reports/snapshots';
import { seedWorkedExample, type Fixture } from './reports-fixture';

jest.setTimeout(60_000);

let db: Db;
let fx: Fixture;
const march = { from: '2025-03-01', to: '2025-03-31' };

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL ?? '', 4);
  fx = await seedWorkedExample(db);
});
afterAll(async () => {
  await db?.$disconnect();
});

describe('DSO, count-back, best possible DSO, ADD and CEI', () => {
  test('total over the segment', async () => {
    const r = await dsoReport(db, march, { segment: [fx.segment] });
    // begin (28 Feb): I1 0 + 1,000 paid later, I2 1,500 + 500 paid later, I5 500 (written off only on 15 Mar) = 3,500
    // end (31 Mar): I2 1,500 + I3 3,000 + I4 0 + 1,000 paid 1 Apr + I6 1,000 = 6,500 (I5 written off: gone)
    // current at end (due ≥ 31 Mar): I3 + I6 = 4,000; sales in March: I3 + I4 + I6 = 5,000
    expect(r.total).toMatchObject({
      days: 31,
      receivablesBeginMinor: 350_000,
      receivablesEndMinor: 650_000,
      currentEndMinor: 400_000,
      pastDueEndMinor: 250_000,
      creditSalesMinor: 500_000,
      dso: 40.3, // 6,500 / 5,000 × 31 = 40.3
      bestPossibleDso: 24.8, // 4,000 / 5,000 × 31 = 24.8
      add: 15.5, // 2,500 / 5,000 × 31 = 15.5
      cei: 44.4, // (3,500 + 5,000 − 6,500) / (3,500 + 5,000 − 4,000) = 2,000 / 4,500 = 44.4%
      // on cash: I1 1,000 (10 Mar) + I2 500 (20 Mar) = 1,500 / 4,500 = 33.3%: I5's 500 written off is not cash
      cashCollectedMinor: 150_000,
      ceiCash: 33.3,
      // count-back: 6,500 − March sales 5,000 = 1,500 left → 31 days; February sales 2,000: 1,500/2,000 × 28 = 21
      countBackDso: 52,
      countBackExhausted: true,
    });
  });

  test('grouped by area: the groups and the total come from one query', async () => {
    const r = await dsoReport(db, march, { segment: [fx.segment], groupBy: 'area' });
    expect(r.groups.map((g) => g.key)).toEqual(['Nord', 'Sud']);
    const nord = r.groups[0];
    // Nord = C1: begin I1 1,000 + I2 2,000; end I2 1,500 + I6 1,000; current I6; sales I6 1,000
    expect(nord).toMatchObject({
      receivablesBeginMinor: 300_000,
      receivablesEndMinor: 250_000,
      creditSalesMinor: 100_000,
    });
    expect(nord.dso).toBe(77.5); // 2,500 / 1,000 × 31
    expect(nord.cei).toBe(50); // (3,000 + 1,000 − 2,500) / (3,000 + 1,000 − 1,000) = 1,500 / 3,000
    expect(nord.ceiCash).toBe(50); // no write-off in Nord: all 1,500 collected was cash
    expect(r.groups[1]).toMatchObject({ key: 'Sud', cashCollectedMinor: 0, ceiCash: 0 }); // I5 written off, no cash
  });

  test('filters narrow the population', async () => {
    const r = await dsoReport(db, march, { segment: [fx.segment], collectorId: ['u-marco'] });
    // C2 only: end I3 3,000 + I4 1,000 = 4,000; sales I3 + I4 = 4,000 → DSO 31.0
    expect(r.total.receivablesEndMinor).toBe(400_000);
    expect(r.total.dso).toBe(31);
    const none = await dsoReport(db, march, { segment: [fx.segment], area: ['Centro'] });
    expect(none.total).toMatchObject({ receivablesEndMinor: 0, dso: null, cei: null });
  });
});

test('aging at 31 March by balance and count', async () => {
  const r = await agingReport(db, '2025-03-31', { segment: [fx.segment], groupBy: 'area' });
  // I3 (−4 days) and I6 not due; I2 19 days and I4 6 days past due (I4 is paid only on 1 April)
  expect(r.total).toMatchObject({
    totalMinor: 650_000,
    totalCount: 4,
    not_due: { count: 2, balanceMinor: 400_000 },
    d1_30: { count: 2, balanceMinor: 250_000 },
    d31_60: { count: 0, balanceMinor: 0 },
    over_180: { count: 0, balanceMinor: 0 },
  });
  const sud = r.groups.find((g) => g.key === 'Sud');
  expect(sud).toMatchObject({
    totalMinor: 400_000,
    not_due: { count: 1, balanceMinor: 300_000 },
    d1_30: { count: 1, balanceMinor: 100_000 },
  });
  // a year later everything still open is over 180 days
  const later = await agingReport(db, '2026-03-31', { segment: [fx.segment] });
  expect(later.total.over_180).toEqual({ count: 3, balanceMinor: 550_000 });
});

test('promise-kept rate', async () => {
  const r = await promiseReport(db, march, { segment: [fx.segment], groupBy: 'collector' });
  // due in March: 15 Mar broken (500), 20 Mar kept (500), 28 Mar broken (1,000); 10 Apr is outside
  expect(r.total).toMatchObject({ promises: 3, kept: 1, broken: 2, open: 0, keptRate: 33.3, keptRateByAmount: 25 });
  expect(r.groups.find((g) => g.key === 'u-giulia')).toMatchObject({ kept: 1, broken: 1, keptRate: 50 });
});

test('dispute rate and mean time to resolution', async () => {
  const r = await disputeReport(db, march, { segment: [fx.segment] });
  // issued in March: I3, I4, I6 (5,000); disputed: I3, I4 (4,000); resolved in March: 10 days and 5.5 days
  expect(r.total).toMatchObject({
    invoicesIssued: 3,
    invoicesDisputed: 2,
    disputeRate: 66.7,
    amountIssuedMinor: 500_000,
    amountDisputedMinor: 400_000,
    disputeRateByAmount: 80,
    resolved: 2,
    accepted: 1,
    rejected: 1,
    partial: 0,
    meanDaysToResolve: 7.8, // (10 + 5.5) / 2 = 7.75
    openAtEnd: 1, // the dispute on I1, open since 20 February
  });
});

test('non-payment reasons: contact log and task outcomes, the same call counted once', async () => {
  const r = await reasonReport(db, march, { segment: [fx.segment] });
  // LIQUIDITY on I2 logged twice on 14 March (contact + task) counts once, plus LIQUIDITY on I3; one INVOICE_NOT_RECEIVED
  expect(r.total.recorded).toBe(3);
  expect(r.total.reasons).toEqual([
    { reason: 'LIQUIDITY', count: 2, share: 66.7, invoices: 2 },
    { reason: 'INVOICE_NOT_RECEIVED', count: 1, share: 33.3, invoices: 1 },
  ]);
});

test('pipeline by stage', async () => {
  const r = await pipelineReport(db, '2025-03-31', { segment: [fx.segment] });
  expect(r.total.stages).toEqual([
    { stage: 'OPEN', invoices: 2, balanceMinor: 400_000, share: 72.7, avgDaysPastDue: 0 },
    { stage: 'REMINDER', invoices: 1, balanceMinor: 150_000, share: 27.3, avgDaysPastDue: 19 },
  ]);
});

test('recovery by stage', async () => {
  const r = await recoveryReport(db, march, { segment: [fx.segment] });
  // OPEN: I3, I4, I6 issued in March, 5,000 at entry, nothing paid before their first stage
  // REMINDER: I2 (2,000 at entry 15 Mar, 500 paid 20 Mar) and I4 (1,000 at entry 26 Mar, paid 1 Apr) → 1,500 of 3,000
  expect(r.total.stages).toEqual([
    { stage: 'OPEN', entered: 3, exposureMinor: 500_000, recoveredMinor: 0, recoveryRate: 0 },
    { stage: 'REMINDER', entered: 2, exposureMinor: 300_000, recoveredMinor: 150_000, recoveryRate: 50 },
  ]);
});

describe('stage spells (the table recovery by stage reads) follow every later write', () => {
  const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
  type Spell = { stage: string; enteredOn: string; leftOn: string | null; exposure: number; recovered: number };
  const spellsOf = async (invoiceId: string): Promise<Spell[]> =>
    (await db.stageSpell.findMany({ where: { invoiceId }, orderBy: [{ enteredAt: 'asc' }, { stage: 'asc' }] })).map(
      (x) => ({
        stage: x.stage,
        enteredOn: x.enteredOn.toISOString().slice(0, 10),
        leftOn: x.leftOn ? x.leftOn.toISOString().slice(0, 10) : null,
        exposure: Number(x.exposureMinor),
        recovered: Number(x.recoveredMinor),
      }),
    );

  test('issue, stage entries, a back-dated payment recorded late, concurrent payments, paid, cancelled', async () => {
    const segment = `${fx.segment}-sp`;
    const customerId = `${fx.c1}-sp`;
    const inv = `${fx.inv.I1}-sp`;
    await db.customer.create({ data: { id: customerId, externalId: customerId, name: 'Spell S.r.l.', segment } });
    await db.invoice.create({
      data: {
        id: inv,
        externalNumber: inv,
        customerId,
        currency: 'EUR',
        amountMinor: 400_000n,
        balanceMinor: 400_000n,
        issueDate: day('2025-05-02'),
        dueDate: day('2025-06-01'),
        stage: 'OPEN',
        segment,
        workflowId: `invoice-${inv}`,
      },
    });
    // Issuing opens the OPEN spell: 4,000 outstanding, nothing recovered yet.
    expect(await spellsOf(inv)).toEqual([
      { stage: 'OPEN', enteredOn: '2025-05-02', leftOn: null, exposure: 400_000, recovered: 0 },
    ]);

    const stageEntry = (at: string, stage: string) =>
      db.timelineEntry.create({ data: { invoiceId: inv, at: new Date(at), kind: 'STAGE', stage, summary: stage } });
    // The workflow starts the next day and records "collection started" as an entry into OPEN: the same stay, not a
    // second entry into OPEN (the recovery report would count the invoice and its exposure twice).
    await stageEntry('2025-05-03T09:00:00Z', 'OPEN');
    expect(await spellsOf(inv)).toEqual([
      { stage: 'OPEN', enteredOn: '2025-05-02', leftOn: null, exposure: 400_000, recovered: 0 },
    ]);
    await stageEntry('2025-06-04T08:00:00Z', 'REMINDER');
    await db.timelineEntry.create({
      data: {
        invoiceId: inv,
        at: new Date('2025-06-05T08:00:00Z'),
        kind: 'CONTACT',
        stage: 'REMINDER',
        summary: 'e-mail',
      },
    });
    await stageEntry('2025-06-16T08:00:00Z', 'CALL');
    expect(await spellsOf(inv)).toEqual([
      { stage: 'OPEN', enteredOn: '2025-05-02', leftOn: '2025-06-04', exposure: 400_000, recovered: 0 },
      { stage: 'REMINDER', enteredOn: '2025-06-04', leftOn: '2025-06-16', exposure: 400_000, recovered: 0 },
      { stage: 'CALL', enteredOn: '2025-06-16', leftOn: null, exposure: 400_000, recovered: 0 },
    ]);

    // Reported on 20 June by the ERP, dated 10 June: it was recovered during REMINDER, and the CALL stage was entered
    // with 1,000 less outstanding. The workflow lowers the balance in the same breath.
    await db.$transaction([
      db.payment.create({
        data: { invoiceId: inv, reference: 'late', amountMinor: 100_000n, paidOn: day('2025-06-10') },
      }),
      db.invoice.update({ where: { id: inv }, data: { balanceMinor: 300_000n } }),
    ]);
    // Paid on the day the invoice moved to CALL: still counted for REMINDER (up to and including the day it moved on).
    await db.payment.create({
      data: { invoiceId: inv, reference: 'edge', amountMinor: 50_000n, paidOn: day('2025-06-16') },
    });
    await db.invoice.update({ where: { id: inv }, data: { balanceMinor: 250_000n } });
    expect(await spellsOf(inv)).toEqual([
      { stage: 'OPEN', enteredOn: '2025-05-02', leftOn: '2025-06-04', exposure: 400_000, recovered: 0 },
      { stage: 'REMINDER', enteredOn: '2025-06-04', leftOn: '2025-06-16', exposure: 400_000, recovered: 150_000 },
      { stage: 'CALL', enteredOn: '2025-06-16', leftOn: null, exposure: 250_000, recovered: 0 },
    ]);

    // Two payments written at once by two connections: the spells end as a fresh rebuild would make them.
    await Promise.all([
      db.payment.create({ data: { invoiceId: inv, reference: 'a', amountMinor: 20_000n, paidOn: day('2025-06-20') } }),
      db.payment.create({ data: { invoiceId: inv, reference: 'b', amountMinor: 30_000n, paidOn: day('2025-06-21') } }),
    ]);
    await db.invoice.update({ where: { id: inv }, data: { balanceMinor: 200_000n } });
    const before = await spellsOf(inv);
    expect(before[2]).toEqual({
      stage: 'CALL',
      enteredOn: '2025-06-16',
      leftOn: null,
      exposure: 250_000,
      recovered: 50_000,
    });
    await db.$executeRaw`SELECT segugio_refresh_stage_spells(ARRAY[${inv}]::text[])`;
    expect(await spellsOf(inv)).toEqual(before);

    // The report reads these rows.
    const r = await recoveryReport(db, { from: '2025-06-01', to: '2025-06-30' }, { segment: [segment] });
    expect(r.total.stages).toEqual([
      { stage: 'REMINDER', entered: 1, exposureMinor: 400_000, recoveredMinor: 150_000, recoveryRate: 37.5 },
      { stage: 'CALL', entered: 1, exposureMinor: 250_000, recoveredMinor: 50_000, recoveryRate: 20 },
    ]);

    // Paid in full: the PAID entry closes the CALL spell and opens none (terminal stages are not stays).
    await stageEntry('2025-06-30T10:00:00Z', 'PAID');
    expect((await spellsOf(inv)).map((x) => [x.stage, x.leftOn])).toEqual([
      ['OPEN', '2025-06-04'],
      ['REMINDER', '2025-06-16'],
      ['CALL', '2025-06-30'],
    ]);

    // A cancelled invoice recovers nothing: its spells go, and come back if the cancellation is undone.
    await db.invoice.update({ where: { id: inv }, data: { stage: 'CANCELLED' } });
    expect(await spellsOf(inv)).toEqual([]);
    await db.invoice.update({ where: { id: inv }, data: { stage: 'PAID' } });
    expect(await spellsOf(inv)).toHaveLength(3);
  });
});

describe('internal rating', () => {
  test('C1: late payments, one broken promise, one open dispute → B (79)', async () => {
    const r = await recomputeRating(db, fx.c1, '2025-03-31');
    // days late weighted by amount: I1 1,000 × 24, I2 500 × 8 (paid), I2 1,500 × 19 (open) → 5,650,000 / 300,000 = 18.8
    // lateness −round(18.8 × 2/3) = −13; broken promise −7; open dispute −1; exposure 2.5% of limit 0; no prior trend
    expect(r).toMatchObject({ rating: 'B', score: 79 });
    const points = Object.fromEntries(r!.factors.map((f) => [f.factor, f.points]));
    expect(points).toEqual({ lateness: -13, promises: -7, disputes: -1, exposure: 0, trend: 0 });
    expect(r!.factors.find((f) => f.factor === 'lateness')?.value).toBe(18.8);
    const stored = await ratingExplanation(db, fx.c1);
    expect(stored).toMatchObject({ rating: 'B', score: 79 });
    expect((await db.customer.findUniqueOrThrow({ where: { id: fx.c1 } })).rating).toBe('B');
  });

  test('C2: a write-off 135 days after due, a broken promise, a rejected dispute → E (26), and E for a year', async () => {
    const r = await recomputeRating(db, fx.c2, '2025-03-31');
    // lateness now follows the curve past 60 days (−62 here, no longer capped at −40); the write-off of 15 March
    // (16 days before) forces E anyway (SEGUGIO_RATING_WRITE_OFF_DAYS, default 365): the score is already below 39
    expect(r).toMatchObject({ rating: 'E', score: 26 });
    expect(Object.fromEntries(r!.factors.map((f) => [f.factor, f.points]))).toEqual({
      lateness: -62,
      promises: -7,
      disputes: -5,
      exposure: 0,
      trend: 0,
      writeOff: 0,
    });
    expect(r!.factors.find((f) => f.factor === 'writeOff')?.value).toBe(16);
  });

  test('the customer 360 shows the rating explained and the legal cost-benefit of its cases', async () => {
    await recomputeRating(db, fx.c1, '2025-03-31');
    const view = await customer360(
      { db, timeZone: 'Europe/Rome', dataDir: os.tmpdir() },
      { keyId: 'k-manager', role: 'manager', userId: 'u-manager' },
      fx.c1,
    );
    expect(view.rating).toBe('B');
    expect(view.ratingExplained).toMatchObject({ score: 79 });
    expect(view.ratingExplained!.factors.map((f) => [f.factor, f.points])).toEqual([
      ['lateness', -13],
      ['promises', -7],
      ['disputes', -1],
      ['exposure', 0],
      ['trend', 0],
    ]);
    // I2's case, the same figures as the legal report of the same day (the claim includes interest up to today).
    const [report] = await legalReport(db, { segment: [fx.segment] });
    expect(view.legalCostBenefit).toEqual([
      expect.objectContaining({
        invoiceId: fx.inv.I2,
        balanceMinor: 150_000,
        claimMinor: report.claimMinor,
        expectedRecoveryMinor: report.expectedRecoveryMinor,
        expectedCostsMinor: 214_600,
        netExpectedValueMinor: report.netExpectedValueMinor,
        recommendation: report.recommendation,
      }),
    ]);
  });

  test('a change the beforeStore hook refuses is not stored, so a retry sees it again', async () => {
    await db.customer.update({ where: { id: fx.c2 }, data: { rating: 'A' } });
    const seen: unknown[] = [];
    const refuse = async (changes: unknown[]) => {
      seen.push(changes);
      throw new Error('signals failed');
    };
    await expect(recomputeRating(db, fx.c2, '2025-03-31', { beforeStore: refuse })).rejects.toThrow('signals failed');
    await expect(recomputeAllRatings(db, '2025-03-31', { beforeStore: refuse })).rejects.toThrow('signals failed');
    expect((await db.customer.findUniqueOrThrow({ where: { id: fx.c2 } })).rating).toBe('A');
    expect(seen[0]).toEqual([{ customerId: fx.c2, previous: 'A', rating: 'E' }]);
    expect(seen[1]).toEqual(expect.arrayContaining([{ customerId: fx.c2, previous: 'A', rating: 'E' }]));
    const accepted: unknown[] = [];
    const r = await recomputeRating(db, fx.c2, '2025-03-31', { beforeStore: async (c) => void accepted.push(...c) });
    expect(r).toMatchObject({ rating: 'E', previous: 'A' });
    expect(accepted).toEqual([{ customerId: fx.c2, previous: 'A', rating: 'E' }]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: fx.c2 } })).rating).toBe('E');
  });

  test('recomputeAllRatings rates every customer', async () => {
    const r = await recomputeAllRatings(db, '2025-03-31');
    expect(r.customers).toBeGreaterThanOrEqual(2);
    expect(Object.values(r.byGrade).reduce((a, b) => a + b, 0)).toBe(r.customers);
    expect((await db.customer.findUniqueOrThrow({ where: { id: fx.c2 } })).rating).toBe('E');
  });
});

test('legal cost-benefit', async () => {
  await db.customer.update({ where: { id: fx.c1 }, data: { rating: 'B' } });
  const cases = await legalReport(db, { segment: [fx.segment], asOf: '2025-03-31' });
  expect(cases).toHaveLength(1);
  // I2 after a DIFFIDA, rating B: p = 0.50 × 1.15 = 0.575. Claim at 31 March 2025: 1,500.00 + interest 19 days at
  // 11.15 % (8.71) + 40.00 = 1,548.71 → 890.51 expected. Still ahead: decreto ingiuntivo (contributo unificato 98.00
  // halved + 27.00 + 1,200.00 lawyer estimate = 1,276.00) × 1, precetto 400.00 × 0.6, pignoramento 1,500.00 × 0.42
  // = 2,146.00, of which 57.5 % of 2,146.00 = 1,233.95 expected back from the debtor → net 912.05 → NEV −21.54: stop
  expect(cases[0]).toMatchObject({
    invoiceId: fx.inv.I2,
    position: 'DIFFIDA',
    rating: 'B',
    balanceMinor: 150_000,
    claimMinor: 154_871,
    recoveryProbability: 0.575,
    expectedRecoveryMinor: 89_051,
    costsSoFarMinor: 15_000,
    expectedCostsMinor: 214_600,
    expectedRecoveredCostsMinor: 123_395,
    netExpectedValueMinor: -2_154,
    recommendation: 'STOP',
  });
  // the same case on a 20,000.00 balance is worth going on (contributo unificato 237.00 halved in the 5,200–26,000
  // bracket): 11,500.00 expected vs 2,215.50 − 1,273.91 recoverable = 941.59 net → 12.21×
  expect(
    evaluateLegal({ balanceMinor: 2_000_000, position: 'DIFFIDA', rating: 'B', costsSoFarMinor: 15_000 }),
  ).toMatchObject({
    expectedRecoveryMinor: 1_150_000,
    expectedCostsMinor: 221_550,
    netExpectedValueMinor: 1_055_841,
    benefitCostRatio: 12.21,
    recommendation: 'GO_ON',
  });
});

/** The proposal of both what-if tests: reminders a day after due by e-mail and SMS, the call three days later. */
const faster = {
  name: 'faster',
  steps: [
    { stage: 'REMINDER' as const, offset: 'P1D', channels: ['EMAIL' as const, 'SMS' as const], template: 'reminder-1' },
    { stage: 'CALL' as const, offset: 'P3D', channels: ['TASK' as const], template: 'call' },
  ],
};

test('what-if simulation of a faster policy', async () => {
  const r = await simulatePolicy(db, {
    segment: fx.segment,
    months: 3,
    asOf: '2025-03-31',
    policy: faster,
  });
  expect(r.window).toEqual({ from: '2025-01-01', to: '2025-03-31', months: 3 });
  expect(r.invoices).toBe(5); // I1, I2, I3, I4, I6 (I5 was issued in 2024)
  // baseline (REMINDER +3 days, CALL +7): I1 and I2 get both steps, I4 only its reminder by 31 March
  expect(r.baseline.contacts).toBe(3);
  expect(r.baseline.byChannel).toEqual({ EMAIL: 3, TASK: 2 });
  expect(r.baseline.stages).toEqual([
    { step: 1, stage: 'REMINDER', occurrence: 1, fired: 3, skipped: 0, medianDaysAfterDue: 4 },
    { step: 2, stage: 'CALL', occurrence: 1, fired: 2, skipped: 0, medianDaysAfterDue: 11 },
  ]);
  // constant lag: I1 paid 13 days after its call → 4 Mar; I2 4 days after its reminder → 18 Mar;
  // I4 3 days after its reminder → 30 Mar, so I4 is paid before its proposed call and before the period ends
  expect(r.proposed.contacts).toBe(6);
  expect(r.proposed.byChannel).toEqual({ EMAIL: 3, SMS: 3, TASK: 2 });
  expect(r.proposed.stages.map((s) => [s.stage, s.fired, s.medianDaysAfterDue])).toEqual([
    ['REMINDER', 3, 2],
    ['CALL', 2, 5],
  ]);
  // DSO over 90 days: sales 8,000; receivables at 31 March 6,500 → 73.1; with I4 paid on 30 March 5,500 → 61.9
  expect(r.baseline.dso).toBe(73.1);
  expect(r.proposed.dso).toBe(61.9);
  expect(r.delta).toEqual({ contacts: 3, dso: -11.2, avgDaysToPay: -8.3 });
  expect(r.assumption).toMatch(/constant response lag/);
});

test('what-if leaves invoices on a rating track where they are', async () => {
  // C2 is rated E and the segment routes E to a track with the same steps as today's policy: the proposal applies to
  // C1's invoices (I1, I2, I6) only; C2's I3 and I4 stay on the track.
  const base = await db.dunningPolicy.findFirstOrThrow({
    where: { segment: fx.segment },
    orderBy: { version: 'desc' },
  });
  const track = `${fx.segment}-strict`;
  const before = (await db.customer.findUniqueOrThrow({ where: { id: fx.c2 } })).rating;
  await db.dunningPolicy.create({
    data: {
      segment: track,
      version: 1,
      name: 'strict',
      steps: base.steps as object[],
      settings: base.settings as object,
    },
  });
  const routed = await db.dunningPolicy.create({
    data: {
      segment: fx.segment,
      version: base.version + 1,
      name: base.name,
      steps: base.steps as object[],
      settings: { ...(base.settings as object), ratingRoutes: { E: track } },
    },
  });
  await db.customer.update({ where: { id: fx.c2 }, data: { rating: 'E' } });
  try {
    const r = await simulatePolicy(db, {
      segment: fx.segment,
      months: 3,
      asOf: '2025-03-31',
      policy: faster,
    });
    expect(r.invoices).toBe(5);
    expect(r.routedInvoices).toBe(2);
    expect(r.baseline.contacts).toBe(3);
    // I1 and I2 get e-mail + SMS reminders; I4 keeps its track's e-mail only, and its payment date.
    expect(r.proposed.contacts).toBe(5);
    expect(r.proposed.byChannel).toEqual({ EMAIL: 3, SMS: 2, TASK: 2 });
    expect(r.proposed.dso).toBe(73.1);
  } finally {
    await db.customer.update({ where: { id: fx.c2 }, data: { rating: before } });
    await db.dunningPolicy.delete({ where: { id: routed.id } });
    await db.dunningPolicy.deleteMany({ where: { segment: track } });
  }
});

test('monthly snapshot and trend', async () => {
  const w = await writeMonthlySnapshot(db, '2025-03');
  expect(w.rows).toBeGreaterThan(1);
  await writeMonthlySnapshot(db, '2025-03'); // rewriting a month replaces it
  const points = await trend(db, { fromMonth: '2025-01', toMonth: '2025-06', dimension: 'segment', key: fx.segment });
  expect(points).toHaveLength(1);
  expect(points[0]).toMatchObject({
    month: '2025-03',
    key: fx.segment,
    metrics: { dso: 40.3, cei: 44.4, add: 15.5, countBackDso: 52, promiseKeptRate: 33.3, disputeRate: 66.7 },
  });
  expect(points[0].metrics.aging).toMatchObject({ not_due: 400_000, d1_30: 250_000 });
});
