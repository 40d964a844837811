/**
 * Entering the cadence late (patch overdue-entry-bands), pure parts: which band an invoice already overdue at intake
 * falls in, where it enters, what is never sent, the consumer rule, triage and its choice, the policy's validation.
 */
import { policyBodySchema } from '../../../domain/policy';
import type { DunningPolicy, EntryBand, PolicyStep } from '../../../workflows/contract';
import { Rejection } from '../../../workflows/invoice/rejections';
import * as S from '../../../workflows/invoice/state';
import * as V from '../../../workflows/invoice/validate';
import { DAY, T0, collector, invoice, policy } from './fixtures';

const STEPS: PolicyStep[] = [
  { stage: 'PRE_DUE', offset: '-P3D', channels: ['EMAIL'], template: 'courtesy' },
  { stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'reminder-1' },
  { stage: 'REMINDER', offset: 'P10D', channels: ['EMAIL'], template: 'reminder-2' },
  { stage: 'CALL', offset: 'P7D', channels: ['TASK'], template: 'call' },
  { stage: 'ORDER_BLOCK', offset: 'P10D', channels: ['EMAIL'], template: 'order-block' },
  { stage: 'FORMAL_NOTICE', offset: 'P7D', channels: ['PEC'], template: 'formal-notice' },
  { stage: 'LEGAL', offset: 'P15D', channels: ['TASK'], template: 'legal', requiresApproval: true },
];

const BANDS: EntryBand[] = [
  { minDaysOverdue: 60, enterAt: 'CALL' },
  { minDaysOverdue: 120, enterAt: 'FORMAL_NOTICE' },
  { minDaysOverdue: 365, enterAt: 'TRIAGE' },
];

function banded(bands: EntryBand[] = BANDS): DunningPolicy {
  const p = policy(STEPS);
  return { ...p, settings: { ...p.settings, entryBands: bands } };
}

/** An invoice whose workflow starts `days` days after it became overdue (day 1 is the first overdue day). */
const startedDaysOverdue = (days: number, overrides: Parameters<typeof invoice>[0] = {}) => {
  const startedAt = T0 + (days - 1) * DAY + 3_600_000;
  const inv = invoice({ policy: banded(), ...overrides }, startedAt);
  return { inv, startedAt };
};

const summaries = (inv: S.Invoice) => inv.outbox.transitions.map((t) => t.entry.summary);

describe('entry bands', () => {
  test('the band with the highest threshold not above the days applies', () => {
    const p = banded();
    expect(S.entryBandFor(p, 59, false).band).toBeNull();
    expect(S.entryBandFor(p, 60, false).band?.enterAt).toBe('CALL');
    expect(S.entryBandFor(p, 134, false).band?.enterAt).toBe('FORMAL_NOTICE');
    expect(S.entryBandFor(p, 400, false).band?.enterAt).toBe('TRIAGE');
  });

  test('134 days overdue at intake: enters at FORMAL_NOTICE under the ≥ 120 band, at once, nothing before it sent', () => {
    const { inv, startedAt } = startedDaysOverdue(134);
    expect(S.enterByBand(inv, startedAt)).toBe('ENTER');
    expect(S.currentStep(inv)?.stage).toBe('FORMAL_NOTICE');
    expect(summaries(inv)).toEqual([
      'entered at FORMAL_NOTICE: 134 days overdue at intake (policy band ≥ 120); not sent: courtesy, reminder-1, ' +
        'reminder-2, call, order-block',
    ]);
    // Fires now (its own offset from overdueAt is long past anyway), with the reason on the STAGE line.
    const next = S.nextAction(inv, startedAt);
    expect(next).toMatchObject({ do: 'FIRE_STEP', kind: 'FORMAL_NOTICE', atMs: startedAt });
    expect(next.do === 'FIRE_STEP' && next.reason).toBe(
      'entered at FORMAL_NOTICE: 134 days overdue at intake (policy band ≥ 120)',
    );
    const start = S.startStep(inv, S.currentStep(inv)!, startedAt);
    expect(start).toMatchObject({ fire: true, skippedForBalance: false });
    expect(inv.carry.entryDue).toBeNull();
    // The step after it counts from the entry, like any other step.
    expect(S.nextAction(inv, startedAt)).toMatchObject({ do: 'FIRE_STEP', kind: 'LEGAL', atMs: startedAt + 15 * DAY });
  });

  test('90 days overdue enters at CALL; 30 days overdue starts at the first step as before', () => {
    const late = startedDaysOverdue(90);
    expect(S.enterByBand(late.inv, late.startedAt)).toBe('ENTER');
    expect(S.currentStep(late.inv)?.template).toBe('call');
    const recent = startedDaysOverdue(30);
    expect(S.enterByBand(recent.inv, recent.startedAt)).toBeNull();
    expect(recent.inv.carry.stepIndex).toBe(0);
    expect(summaries(recent.inv)).toEqual([]);
  });

  test('no bands (the default): nothing changes, whatever the age', () => {
    const inv = invoice({ policy: policy(STEPS) }, T0 + 500 * DAY);
    expect(S.enterByBand(inv, T0 + 500 * DAY)).toBeNull();
    expect(inv.carry.stepIndex).toBe(0);
    expect(inv.carry.entryDue).toBeUndefined();
  });

  test('a consumer invoice ignores a band that does not say consumers, and says so', () => {
    const { inv, startedAt } = startedDaysOverdue(134, { consumer: true });
    expect(S.enterByBand(inv, startedAt)).toBeNull();
    expect(inv.carry.stepIndex).toBe(0);
    expect(summaries(inv)).toEqual([
      'consumer invoice 134 days overdue at intake: the policy band ≥ 120 does not apply to consumers; collection ' +
        'starts at the first step',
    ]);
  });

  test('a consumer invoice follows the highest band that includes consumers', () => {
    const bands: EntryBand[] = [
      { minDaysOverdue: 60, enterAt: 'CALL', consumers: true },
      { minDaysOverdue: 120, enterAt: 'FORMAL_NOTICE' },
    ];
    const startedAt = T0 + 133 * DAY;
    const inv = invoice({ policy: banded(bands), consumer: true }, startedAt);
    expect(S.enterByBand(inv, startedAt)).toBe('ENTER');
    expect(S.currentStep(inv)?.stage).toBe('CALL');
    expect(summaries(inv)[0]).toMatch(
      /^entered at CALL: 134 days overdue at intake \(policy band ≥ 60, consumers included\)/,
    );
  });

  test('TRIAGE: nothing fires until a person chooses; the choice is validated and enters at once', () => {
    const { inv, startedAt } = startedDaysOverdue(400);
    expect(S.enterByBand(inv, startedAt)).toBe('TRIAGE');
    expect(S.nextAction(inv, startedAt + 30 * DAY)).toEqual({ do: 'WAIT', kind: 'TRIAGE', atMs: null });
    expect(S.view(inv, startedAt).triage).toEqual({ daysOverdue: 400, minDaysOverdue: 365 });
    expect(() => V.validateChooseEntry(inv, { ...collector, enterAt: 'LEGAL' as never })).toThrow(Rejection);
    try {
      V.validateChooseEntry(inv, { ...collector, enterAt: 'LEGAL' as never });
    } catch (err) {
      expect((err as Rejection).details).toEqual({
        reason: 'VALUE_NOT_ALLOWED',
        params: { field: 'enterAt', allowed: ['START', 'REMINDER', 'CALL', 'ORDER_BLOCK', 'FORMAL_NOTICE'] },
      });
    }
    const choice = V.validateChooseEntry(inv, { ...collector, enterAt: 'ORDER_BLOCK', note: 'known bad payer' });
    S.chooseEntry(inv, choice, startedAt + DAY);
    expect(S.view(inv, startedAt).triage).toBeNull();
    expect(S.nextAction(inv, startedAt + DAY)).toMatchObject({
      do: 'FIRE_STEP',
      kind: 'ORDER_BLOCK',
      atMs: startedAt + DAY,
    });
    expect(inv.outbox.transitions.at(-1)?.entry).toMatchObject({
      kind: 'DECISION',
      actorId: 'u-collector',
      summary:
        'entered at ORDER_BLOCK: chosen in triage (400 days overdue at intake) — known bad payer; not sent: courtesy, ' +
        'reminder-1, reminder-2, call',
    });
    // Decided once: a second choice is refused.
    expect(() => V.validateChooseEntry(inv, { ...collector, enterAt: 'CALL' })).toThrow(
      'this invoice is not waiting for a triage decision',
    );
  });

  test('TRIAGE chosen START: the first dunning step fires at once (the late courtesy notice is skipped as ever)', () => {
    const { inv, startedAt } = startedDaysOverdue(400);
    S.enterByBand(inv, startedAt);
    S.chooseEntry(inv, { ...collector, enterAt: 'START' }, startedAt);
    const pre = S.startStep(inv, S.currentStep(inv)!, startedAt);
    expect(pre).toEqual({ fire: false });
    expect(S.nextAction(inv, startedAt)).toMatchObject({ do: 'FIRE_STEP', kind: 'REMINDER', atMs: startedAt });
  });

  test('a triage task cannot be completed with a call outcome', () => {
    const { inv, startedAt } = startedDaysOverdue(400);
    S.enterByBand(inv, startedAt);
    inv.carry.tasks.push({
      taskId: 't1',
      kind: 'TRIAGE',
      dueAt: '2026-01-01T00:00:00Z',
      assigneeId: null,
      purpose: 'triage',
    });
    expect(() => V.validateCompleteTask(inv, { ...collector, taskId: 't1', outcome: 'REACHED' }, startedAt)).toThrow(
      'task t1 is a triage: choose where the invoice enters the cadence instead',
    );
  });

  test('a newer policy before the entry fired keeps the entry at its stage', () => {
    const { inv, startedAt } = startedDaysOverdue(90);
    S.enterByBand(inv, startedAt);
    const next = { ...banded(), version: 2, steps: STEPS.filter((s) => s.template !== 'reminder-2') };
    S.adoptPolicy(inv, next, 'signal', startedAt);
    expect(S.currentStep(inv)?.stage).toBe('CALL');
  });
});

describe('entry bands in the policy', () => {
  const body = (bands: unknown) => ({
    name: 'p',
    steps: STEPS,
    settings: { ...policy().settings, entryBands: bands },
  });

  test('accepted: increasing bands naming stages of the policy', () => {
    expect(policyBodySchema.safeParse(body(BANDS)).success).toBe(true);
  });

  test('refused: thresholds not increasing, a stage the policy lacks, LEGAL or PRE_DUE, an unknown field', () => {
    const issues = (bands: unknown) =>
      (policyBodySchema.safeParse(body(bands)).error?.issues ?? []).map((i) => i.path.join('.'));
    expect(
      issues([
        { minDaysOverdue: 120, enterAt: 'CALL' },
        { minDaysOverdue: 60, enterAt: 'FORMAL_NOTICE' },
      ]),
    ).toEqual(['settings.entryBands.1.minDaysOverdue']);
    const noCall = {
      ...body([{ minDaysOverdue: 60, enterAt: 'CALL' }]),
      steps: STEPS.filter((s) => s.stage !== 'CALL'),
    };
    expect((policyBodySchema.safeParse(noCall).error?.issues ?? []).map((i) => i.path.join('.'))).toEqual([
      'settings.entryBands.0.enterAt',
    ]);
    expect(issues([{ minDaysOverdue: 60, enterAt: 'LEGAL' }])).toEqual(['settings.entryBands.0.enterAt']);
    expect(issues([{ minDaysOverdue: 60, enterAt: 'PRE_DUE' }])).toEqual(['settings.entryBands.0.enterAt']);
    expect(issues([{ minDaysOverdue: 0, enterAt: 'CALL' }])).toEqual(['settings.entryBands.0.minDaysOverdue']);
    expect(issues([{ minDaysOverdue: 60, enterAt: 'CALL', b2c: true }])).toEqual(['settings.entryBands.0']);
  });
});
