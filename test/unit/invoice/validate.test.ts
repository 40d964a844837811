/** Validators of human decisions: each refusal carries a stable reason code and its parameters (docs/workflow.md). */
import { Rejection, type RejectionDetails } from '../../../workflows/invoice/rejections';
import * as S from '../../../workflows/invoice/state';
import * as V from '../../../workflows/invoice/validate';
import { DAY, T0, collector, invoice, manager } from './fixtures';

/** The rejection `fn` throws (fails when it accepts). */
function refusal(fn: () => unknown): RejectionDetails & { message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof Rejection) return { ...err.details, message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('reason codes and parameters', () => {
  test('a promise above the balance, in the past, beyond the horizon', () => {
    const inv = invoice();
    expect(
      refusal(() => V.validatePromise(inv, { promisedDate: '2026-03-05', amountMinor: 200_000, ...collector }, T0)),
    ).toEqual({
      reason: 'AMOUNT_EXCEEDS_BALANCE',
      params: { amountMinor: 200_000, balanceMinor: 100_000 },
      message: 'amountMinor 200000 exceeds the balance 100000',
    });
    expect(refusal(() => V.validatePromise(inv, { promisedDate: '2026-02-01', ...collector }, T0))).toMatchObject({
      reason: 'DATE_IN_PAST',
      params: { field: 'promisedDate', value: '2026-02-01' },
    });
    expect(refusal(() => V.validatePromise(inv, { promisedDate: '2026-12-01', ...collector }, T0))).toMatchObject({
      reason: 'PROMISE_BEYOND_HORIZON',
      params: { promisedDate: '2026-12-01', maxHorizon: 'P60D', lastDate: '2026-04-30' },
    });
    expect(refusal(() => V.validatePromise(inv, { promisedDate: 'soon', ...collector }, T0)).reason).toBe(
      'DATE_INVALID',
    );
    expect(
      refusal(() => V.validatePromise(inv, { promisedDate: '2026-03-05', actorId: '', role: 'collector' }, T0)),
    ).toMatchObject({
      reason: 'ACTOR_REQUIRED',
      params: {},
    });
  });

  test('a closed invoice refuses everything with its number and stage', () => {
    const inv = invoice();
    S.writeOff(inv, { reason: 'x', ...manager }, T0);
    expect(refusal(() => V.validateResume(inv, collector))).toEqual({
      reason: 'INVOICE_CLOSED',
      params: { invoiceNumber: 'F-1', stage: 'WRITTEN_OFF' },
      message: 'invoice F-1 is closed (WRITTEN_OFF)',
    });
  });

  test('plans: empty, too many, not increasing, wrong sum; a dispute blocks them', () => {
    const inv = invoice();
    const plan = (instalments: Array<{ dueDate: string; amountMinor: number }>) =>
      refusal(() => V.validatePlan(inv, { instalments, ...manager }, T0));
    expect(plan([]).reason).toBe('INSTALMENTS_EMPTY');
    const seven = Array.from({ length: 7 }, (_, i) => ({ dueDate: `2026-03-1${i}`, amountMinor: 1 }));
    expect(plan(seven)).toMatchObject({ reason: 'TOO_MANY_INSTALMENTS', params: { count: 7, max: 6 } });
    expect(
      plan([
        { dueDate: '2026-03-10', amountMinor: 50_000 },
        { dueDate: '2026-03-10', amountMinor: 50_000 },
      ]),
    ).toMatchObject({ reason: 'INSTALMENT_DATES_NOT_INCREASING', params: { index: 1 } });
    expect(plan([{ dueDate: '2026-03-10', amountMinor: 90_000 }])).toMatchObject({
      reason: 'INSTALMENTS_SUM_MISMATCH',
      params: { sumMinor: 90_000, balanceMinor: 100_000 },
    });
    expect(plan([{ dueDate: '2026-03-10', amountMinor: 0 }])).toMatchObject({
      reason: 'AMOUNT_INVALID',
      params: { field: 'instalments[0].amountMinor', allowZero: false },
    });
    S.openDispute(inv, { reasonCode: 'OTHER', note: 'n', ...collector }, T0);
    expect(plan([{ dueDate: '2026-03-10', amountMinor: 100_000 }])).toMatchObject({
      reason: 'DISPUTE_OPEN',
      params: { decision: 'PLAN' },
    });
  });

  test('disputes and their resolution', () => {
    const inv = invoice();
    expect(
      refusal(() => V.validateDispute(inv, { reasonCode: 'NOPE' as 'OTHER', note: 'n', ...collector })),
    ).toMatchObject({
      reason: 'VALUE_NOT_ALLOWED',
      params: { field: 'reasonCode' },
    });
    expect(refusal(() => V.validateDispute(inv, { reasonCode: 'OTHER', note: ' ', ...collector }))).toMatchObject({
      reason: 'TEXT_REQUIRED',
      params: { field: 'note', decision: 'DISPUTE' },
    });
    expect(refusal(() => V.validateResolveDispute(inv, { outcome: 'REJECTED', ...manager })).reason).toBe(
      'NO_DISPUTE_OPEN',
    );
    S.openDispute(inv, { reasonCode: 'OTHER', note: 'n', ...collector }, T0);
    expect(refusal(() => V.validateDispute(inv, { reasonCode: 'OTHER', note: 'n', ...collector })).reason).toBe(
      'DISPUTE_ALREADY_OPEN',
    );
    expect(
      refusal(() => V.validateResolveDispute(inv, { outcome: 'PARTIAL', newBalanceMinor: 100_000, ...manager })),
    ).toMatchObject({
      reason: 'BALANCE_NOT_REDUCED',
      params: { newBalanceMinor: 100_000, balanceMinor: 100_000 },
    });
    expect(
      V.validateResolveDispute(inv, { outcome: 'PARTIAL', newBalanceMinor: 60_000, ...manager }).resolution,
    ).toEqual({
      outcome: 'PARTIAL',
      newBalanceMinor: 60_000,
      actorId: manager.actorId,
    });
  });

  test('managers only: legal approval and write-off', () => {
    const inv = invoice();
    expect(refusal(() => V.validateWriteOff(inv, { reason: 'x', ...collector }))).toEqual({
      reason: 'MANAGER_REQUIRED',
      params: { action: 'WRITE_OFF', role: 'collector' },
      message: "writing off needs a manager (role 'collector')",
    });
    expect(refusal(() => V.validateApproveLegal(inv, manager)).reason).toBe('NO_LEGAL_APPROVAL_PENDING');
    expect(
      refusal(() => V.validateLegalEvent(inv, { step: 'DIFFIDA', date: '2026-03-01', costMinor: 0, ...manager }))
        .reason,
    ).toBe('NO_LEGAL_CASE_OPEN');
  });

  test('pause and resume', () => {
    const inv = invoice();
    expect(refusal(() => V.validateResume(inv, collector)).reason).toBe('NOT_PAUSED');
    expect(refusal(() => V.validatePause(inv, { reason: 'x', until: 'tomorrow', ...collector }, T0))).toMatchObject({
      reason: 'INSTANT_INVALID',
      params: { field: 'until' },
    });
    expect(refusal(() => V.validatePause(inv, { reason: 'x', until: '2026-02-01', ...collector }, T0)).reason).toBe(
      'DATE_IN_PAST',
    );
    S.pause(inv, { reason: 'x', ...collector }, T0);
    expect(refusal(() => V.validatePause(inv, { reason: 'y', ...collector }, T0)).reason).toBe('ALREADY_PAUSED');
  });
});

describe('a completed task comes back in the shape of its outcome', () => {
  const withTask = () => {
    const inv = invoice();
    inv.carry.tasks.push({
      taskId: 't1',
      kind: 'CALL',
      dueAt: '2026-03-04T00:00:00.000Z',
      assigneeId: null,
      purpose: 'call#1',
    });
    return inv;
  };

  test('CALLBACK carries its instant; PROMISE its promise; details are required', () => {
    const inv = withTask();
    const at = new Date(T0 + DAY).toISOString();
    const d = V.validateCompleteTask(inv, { taskId: 't1', outcome: 'CALLBACK', callbackAt: at, ...collector }, T0);
    expect(d).toMatchObject({
      outcome: 'CALLBACK',
      callbackAt: at,
      callbackAtMs: T0 + DAY,
      task: { purpose: 'call#1' },
    });
    expect(
      refusal(() => V.validateCompleteTask(inv, { taskId: 't1', outcome: 'CALLBACK', ...collector }, T0)),
    ).toMatchObject({
      reason: 'OUTCOME_DETAILS_REQUIRED',
      params: { outcome: 'CALLBACK', field: 'callbackAt' },
    });
    expect(
      refusal(() => V.validateCompleteTask(inv, { taskId: 't1', outcome: 'PROMISE', ...collector }, T0)),
    ).toMatchObject({
      reason: 'OUTCOME_DETAILS_REQUIRED',
      params: { outcome: 'PROMISE', field: 'promise' },
    });
    const p = V.validateCompleteTask(
      inv,
      {
        taskId: 't1',
        outcome: 'PROMISE',
        promise: { promisedDate: '2026-03-05' },
        reasonCode: 'LIQUIDITY',
        ...collector,
      },
      T0,
    );
    expect(p).toMatchObject({ outcome: 'PROMISE', promise: { promisedDate: '2026-03-05' }, reasonCode: 'LIQUIDITY' });
  });

  test('an unknown task, outcome or reason', () => {
    const inv = withTask();
    expect(
      refusal(() => V.validateCompleteTask(inv, { taskId: 'nope', outcome: 'REACHED', ...collector }, T0)),
    ).toEqual({
      reason: 'TASK_NOT_OPEN',
      params: { taskId: 'nope' },
      message: 'task nope is not open on this invoice',
    });
    expect(
      refusal(() => V.validateCompleteTask(inv, { taskId: 't1', outcome: 'MAYBE' as 'REACHED', ...collector }, T0))
        .params,
    ).toMatchObject({ field: 'outcome' });
    expect(
      refusal(() =>
        V.validateCompleteTask(
          inv,
          { taskId: 't1', outcome: 'REACHED', reasonCode: 'BORED' as 'OTHER', ...collector },
          T0,
        ),
      ).params,
    ).toMatchObject({ field: 'reasonCode' });
  });
});
