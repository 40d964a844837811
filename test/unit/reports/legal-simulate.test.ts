/** Legal cost-benefit and the policy replay, pure parts, on hand-computed cases. */
import {
  bracketFee,
  DEFAULT_LEGAL_ASSUMPTIONS,
  evaluateLegal,
  LEGAL_SOURCES,
  withOverrides,
} from '../../../contexts/reports/legal';
import { replay, shiftPayments, type SimInvoice } from '../../../contexts/reports/simulate';
import type { PolicyStep } from '../../../workflows/contract';

describe('legal cost-benefit (DPR 115/2002 art. 13; DM 55/2014 as updated by DM 147/2022)', () => {
  test('a EUR 5,000 claim against an A-rated debtor goes on (it used to answer STOP)', () => {
    // claim 5,000.00 + 40.00 (art. 6 D.Lgs. 231/2002) = 5,040.00; p = min(0.95, 0.55 × 1.3) = 0.715 → 3,603.60
    // diffida 150.00 × 1; decreto ingiuntivo: contributo unificato 98.00 (1,100–5,200 bracket) halved = 49.00 + 27.00
    // anticipazioni + 1,200.00 lawyer estimate = 1,276.00 × 0.6; precetto 400.00 × 0.36; pignoramento 1,500.00 × 0.252
    // expected costs 150 + 765.60 + 144 + 378 = 1,437.60; recoverable (765.60 + 144 + 378) × 0.715 = 920.63
    // net costs 516.97 → ratio 3,603.60 / 516.97 = 6.97
    const r = evaluateLegal({
      balanceMinor: 500_000,
      position: 'NOT_STARTED',
      rating: 'A',
      costsSoFarMinor: 0,
      interestMinor: 0,
      compensationMinor: 4000,
    });
    expect(r).toMatchObject({
      recoveryProbability: 0.715,
      claimMinor: 504_000,
      expectedRecoveryMinor: 360_360,
      expectedCostsMinor: 143_760,
      expectedRecoveredCostsMinor: 92_063,
      netExpectedValueMinor: 308_663,
      benefitCostRatio: 6.97,
      recommendation: 'GO_ON',
    });
    expect(r.steps.map((st) => [st.step, st.reachProbability, st.costMinor, st.courtFeeMinor])).toEqual([
      ['DIFFIDA', 1, 15_000, 0],
      ['DECRETO_INGIUNTIVO', 0.6, 127_600, 7_600],
      ['PRECETTO', 0.36, 40_000, 0],
      ['PIGNORAMENTO', 0.252, 150_000, 0],
    ]);
    // The lawyer's fee of the DM 55/2014 parameters is not bundled: the case says the estimate stands in for it.
    expect(r.notes.join()).toMatch(/DM 55\/2014.*not entered.*not verified/);
    expect(r.unverified).toEqual(['LAWYER_FEE_NOT_VERIFIED']);
  });

  test('the DM 55/2014 lawyer fee is an editable default to be entered, its source says so, nothing is invented', () => {
    // No figure of the DM table is bundled: every bracket is empty until a manager enters it.
    expect(DEFAULT_LEGAL_ASSUMPTIONS.lawyerFeesDecretoIngiuntivo.every((b) => b.feeMinor === null)).toBe(true);
    expect(DEFAULT_LEGAL_ASSUMPTIONS.lawyerFeesDecretoIngiuntivo.map((b) => b.upToMinor)).toEqual([
      110_000,
      520_000,
      2_600_000,
      5_200_000,
      26_000_000,
      52_000_000,
      null,
    ]);
    expect(LEGAL_SOURCES.lawyerFeesDecretoIngiuntivo).toMatch(
      /DM 10 marzo 2014 n\. 55 .*DM 13 agosto 2022 n\. 147.*to be entered from your lawyer’s quote or the DM table.*not verified/,
    );
    expect(LEGAL_SOURCES.stepCostMinor).toMatch(/estimate \(not a figure of law\)/);
    // A claim in another currency: neither the court fees nor a DM figure apply, and both are said.
    const usd = evaluateLegal({
      balanceMinor: 500_000,
      position: 'DIFFIDA',
      rating: 'C',
      costsSoFarMinor: 0,
      currency: 'USD',
    });
    expect(usd.unverified).toEqual(['COURT_FEES_NOT_COUNTED', 'LAWYER_FEE_NOT_VERIFIED']);
  });

  test('court fees scale with the claim: EUR 10,000 is in the 5,200–26,000 bracket (237.00, halved 118.50)', () => {
    const r = evaluateLegal({ balanceMinor: 1_000_000, position: 'NOT_STARTED', rating: 'C', costsSoFarMinor: 0 });
    expect(r.steps[1]).toMatchObject({ step: 'DECRETO_INGIUNTIVO', courtFeeMinor: 11_850 + 2_700 });
    expect(bracketFee(DEFAULT_LEGAL_ASSUMPTIONS.contributoUnificato, 110_000)?.feeMinor).toBe(4_300);
    expect(bracketFee(DEFAULT_LEGAL_ASSUMPTIONS.contributoUnificato, 110_001)?.feeMinor).toBe(9_800);
    expect(bracketFee(DEFAULT_LEGAL_ASSUMPTIONS.contributoUnificato, 60_000_000)?.feeMinor).toBe(168_600);
  });

  test('an entered DM 55/2014 lawyer fee replaces the estimate, and the note goes', () => {
    const a = withOverrides(DEFAULT_LEGAL_ASSUMPTIONS, {
      lawyerFeesDecretoIngiuntivo: [
        { upToMinor: 520_000, feeMinor: 50_000 },
        { upToMinor: null, feeMinor: null },
      ],
    });
    const r = evaluateLegal({ balanceMinor: 500_000, position: 'DIFFIDA', rating: 'C', costsSoFarMinor: 0 }, a);
    expect(r.steps[0]).toMatchObject({ step: 'DECRETO_INGIUNTIVO', lawyerFeeMinor: 50_000, courtFeeMinor: 7_600 });
    expect(r.notes).toEqual([]);
    expect(r.unverified).toEqual([]);
  });

  test('a small claim against an E-rated debtor stops', () => {
    // 1,500.00 × 0.2 = 300.00 expected vs net costs 2,146.00 − 429.20 recoverable → stop
    const r = evaluateLegal({ balanceMinor: 150_000, position: 'DIFFIDA', rating: 'E', costsSoFarMinor: 0 });
    expect(r).toMatchObject({ expectedRecoveryMinor: 30_000, expectedCostsMinor: 214_600, recommendation: 'STOP' });
  });

  test('rating moves the probability, capped', () => {
    expect(
      evaluateLegal({ balanceMinor: 100, position: 'PIGNORAMENTO', rating: 'E', costsSoFarMinor: 0 })
        .recoveryProbability,
    ).toBe(0.14);
    const optimistic = {
      ...DEFAULT_LEGAL_ASSUMPTIONS,
      recoveryByPosition: { ...DEFAULT_LEGAL_ASSUMPTIONS.recoveryByPosition, NOT_STARTED: 0.9 },
    };
    expect(
      evaluateLegal({ balanceMinor: 100, position: 'NOT_STARTED', rating: 'A', costsSoFarMinor: 0 }, optimistic)
        .recoveryProbability,
    ).toBe(0.95);
  });

  test('sunk costs do not decide; nothing ahead means go on while anything is expected', () => {
    const r = evaluateLegal({ balanceMinor: 10_000, position: 'PIGNORAMENTO', rating: 'C', costsSoFarMinor: 999_999 });
    expect(r).toMatchObject({
      expectedCostsMinor: 0,
      expectedRecoveryMinor: 3_500,
      netExpectedValueMinor: 3_500,
      recommendation: 'GO_ON',
    });
  });
});

describe('policy replay', () => {
  const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
  const steps: PolicyStep[] = [
    { stage: 'PRE_DUE', offset: '-P5D', channels: ['EMAIL'], template: 'courtesy' },
    { stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'r1' },
    { stage: 'REMINDER', offset: 'P7D', channels: ['EMAIL'], template: 'r2' },
    { stage: 'ORDER_BLOCK', offset: 'P7D', channels: ['EMAIL'], template: 'block', minBalanceMinor: 50_000 },
    { stage: 'CALL', offset: 'P5D', channels: ['TASK'], template: 'call' },
  ];
  const inv: SimInvoice = {
    id: 'x',
    segment: 's',
    amountMinor: 10_000,
    issueMs: day('2025-01-01'),
    dueMs: day('2025-01-31'),
    closedUnpaidMs: null,
    payments: [{ dayMs: day('2025-02-12'), amountMinor: 10_000 }],
  };
  test('steps chain from the overdue day; a small balance skips the order block; payment stops the chain', () => {
    // Overdue 1 Feb. PRE_DUE 27 Jan (5 days before); the first REMINDER counts from the overdue moment, not from the
    // courtesy notice (as the workflow does, docs/workflow.md "Policy clock"): 4 Feb; REMINDER 11 Feb; paid 12 Feb,
    // so no ORDER_BLOCK on 18 Feb.
    const fired = replay(inv, steps, day('2025-12-31'));
    expect(fired.map((f) => [f.stage, f.occurrence, new Date(f.atMs).toISOString().slice(0, 10), f.skipped])).toEqual([
      ['PRE_DUE', 1, '2025-01-27', false],
      ['REMINDER', 1, '2025-02-04', false],
      ['REMINDER', 2, '2025-02-11', false],
    ]);
    const unpaid = replay({ ...inv, payments: [] }, steps, day('2025-12-31'));
    expect(unpaid.map((f) => [f.stage, f.skipped])).toEqual([
      ['PRE_DUE', false],
      ['REMINDER', false],
      ['REMINDER', false],
      ['ORDER_BLOCK', true],
      ['CALL', false],
    ]);
    expect(unpaid.map((f) => new Date(f.atMs).toISOString().slice(0, 10))).toEqual([
      '2025-01-27',
      '2025-02-04',
      '2025-02-11',
      '2025-02-18',
      '2025-02-23',
    ]);
    expect(replay({ ...inv, payments: [] }, steps, day('2025-02-01')).length).toBe(1); // horizon
  });
  test('constant response lag moves the payment with its trigger step', () => {
    const base = replay(inv, steps, day('2025-12-31'));
    // paid 12 Feb, 1 day after the 2nd reminder (11 Feb); the proposal sends the 2nd reminder on 3 Feb → 4 Feb
    const faster: PolicyStep[] = [
      { stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'r1' },
      { stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'r2' },
    ];
    const timing = replay(inv, faster, Infinity, true);
    expect(timing.map((f) => new Date(f.atMs).toISOString().slice(0, 10))).toEqual(['2025-02-02', '2025-02-03']);
    expect(shiftPayments(inv, base, timing)).toEqual([{ dayMs: day('2025-02-04'), amountMinor: 10_000 }]);
    // a policy without REMINDER leaves the payment where it was
    const none = replay(inv, [{ stage: 'CALL', offset: 'P1D', channels: ['TASK'], template: 'c' }], Infinity, true);
    expect(shiftPayments(inv, base, none)).toEqual(inv.payments);
  });
});
