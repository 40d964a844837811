/** Legal cost-benefit and the policy replay, pure parts, on hand-computed cases. */
import { DEFAULT_LEGAL_ASSUMPTIONS, evaluateLegal } from '../../../contexts/reports/legal';
import { replay, shiftPayments, type SimInvoice } from '../../../contexts/reports/simulate';
import type { PolicyStep } from '../../../workflows/contract';

describe('legal cost-benefit', () => {
  test('not started, rating C: 55 % of 10,000.00; all four steps ahead (3,250.00) → go on', () => {
    const r = evaluateLegal({ balanceMinor: 1_000_000, position: 'NOT_STARTED', rating: 'C', costsSoFarMinor: 0 });
    expect(r).toMatchObject({
      recoveryProbability: 0.55,
      expectedRecoveryMinor: 550_000,
      expectedCostsMinor: 325_000,
      netExpectedValueMinor: 225_000,
      benefitCostRatio: 1.69,
      recommendation: 'GO_ON',
    });
  });
  test('positive but thin margin → stop (under 1.5×)', () => {
    // 5,000.00 × 0.55 = 2,750.00 vs 3,250.00 → negative anyway; 7,000.00 → 3,850.00 vs 3,250.00 = 1.18× → stop
    const r = evaluateLegal({ balanceMinor: 700_000, position: 'NOT_STARTED', rating: 'C', costsSoFarMinor: 0 });
    expect(r).toMatchObject({ netExpectedValueMinor: 60_000, benefitCostRatio: 1.18, recommendation: 'STOP' });
    expect(r.reason).toMatch(/1\.18×/);
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
