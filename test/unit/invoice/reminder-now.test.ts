/**
 * A reminder sent now by a person (patch `reminder-now`) and the collector told to a running workflow (patch
 * `collector-follows-reassign`): the pure rules, with a fixed clock (docs/workflow.md, "Reminders sent now").
 */
import { SA } from '../../../workflows/contract';
import { Rejection, type RejectionDetails } from '../../../workflows/invoice/rejections';
import * as S from '../../../workflows/invoice/state';
import * as V from '../../../workflows/invoice/validate';
import { DAY, T0, collector, invoice, manager, policy } from './fixtures';

function refusal(fn: () => unknown): RejectionDetails & { message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof Rejection) return { ...err.details, message: err.message };
    throw err;
  }
  throw new Error('expected a rejection');
}

/** Fires the pending step as the workflow does (clock, stage, the day's reminder). */
function fire(inv: ReturnType<typeof invoice>, now: number): void {
  const step = S.currentStep(inv)!;
  S.startStep(inv, step, now);
  if (step.stage === 'REMINDER') S.noteReminder(inv, step, false, now);
  S.setStage(inv, now, step.stage, `${step.stage} (${step.template}) — on schedule`);
}

describe('which reminder goes out', () => {
  test('nothing fired yet: the next REMINDER step (the first), on its channels', () => {
    const inv = invoice();
    const d = V.validateSendReminder(inv, collector, T0 + 3_600_000);
    expect(d.step.step.template).toBe('reminder-1');
    expect(d.step.channels).toEqual(['EMAIL']);
  });

  test('after reminder-2 and at CALL: the last reminder fired (reminder-2), never a TASK channel', () => {
    const steps = policy().steps.map((s) =>
      s.template === 'reminder-2' ? { ...s, channels: ['EMAIL', 'SMS', 'TASK'] as const } : s,
    );
    const inv = invoice({ policy: { ...policy(), steps: steps as never } });
    fire(inv, T0 + DAY);
    fire(inv, T0 + 8 * DAY);
    fire(inv, T0 + 15 * DAY); // CALL
    expect(inv.carry.stage).toBe('CALL');
    const d = V.validateSendReminder(inv, collector, T0 + 16 * DAY);
    expect(d.step.step.template).toBe('reminder-2');
    expect(d.step.channels).toEqual(['EMAIL', 'SMS']);
  });

  test('a policy without a REMINDER step with a channel refuses, naming the policy', () => {
    const inv = invoice({
      policy: policy([{ stage: 'CALL', offset: 'P1D', channels: ['TASK'], template: 'call' }]),
    });
    expect(refusal(() => V.validateSendReminder(inv, collector, T0 + DAY))).toEqual({
      reason: 'NO_REMINDER_STEP',
      params: { policy: 'SME v1' },
      message: 'policy SME v1 has no REMINDER step to send',
    });
  });
});

describe('refusals, each with its reason code', () => {
  test('disputed, paused, closed', () => {
    const disputed = invoice();
    S.openDispute(disputed, { reasonCode: 'DEFECTIVE_GOODS', note: 'n', actorId: 'u' }, T0);
    expect(refusal(() => V.validateSendReminder(disputed, collector, T0 + DAY)).reason).toBe('REMINDER_DISPUTED');

    const paused = invoice();
    S.pause(paused, { reason: 'holiday', actorId: 'u' }, T0);
    expect(refusal(() => V.validateSendReminder(paused, collector, T0 + DAY)).reason).toBe('REMINDER_PAUSED');

    const closed = invoice();
    S.writeOff(closed, { reason: 'x', ...manager }, T0);
    expect(refusal(() => V.validateSendReminder(closed, collector, T0 + DAY))).toMatchObject({
      reason: 'INVOICE_CLOSED',
      params: { invoiceNumber: 'F-1', stage: 'WRITTEN_OFF' },
    });
  });

  test('legal action pending approval or open', () => {
    const inv = invoice();
    S.startLegal(inv, true);
    expect(refusal(() => V.validateSendReminder(inv, collector, T0 + DAY)).reason).toBe('REMINDER_IN_LEGAL');
    const open = invoice();
    S.startLegal(open, false);
    expect(refusal(() => V.validateSendReminder(open, collector, T0 + DAY)).message).toBe(
      'the invoice is with legal action: reminders no longer go out',
    );
  });

  test('before the invoice is overdue', () => {
    const inv = invoice({ overdueAt: new Date(T0 + 5 * DAY).toISOString(), dueDate: '2026-03-05' });
    expect(refusal(() => V.validateSendReminder(inv, collector, T0))).toEqual({
      reason: 'REMINDER_NOT_OVERDUE',
      params: { dueDate: '2026-03-05' },
      message: 'the invoice is not overdue yet (due 2026-03-05)',
    });
  });

  test('one a day in the policy’s time zone: after a REMINDER step or one sent by hand', () => {
    const inv = invoice();
    fire(inv, T0 + DAY + 8 * 3_600_000); // 2 March 09:00 in Rome
    expect(refusal(() => V.validateSendReminder(inv, collector, T0 + DAY + 20 * 3_600_000))).toEqual({
      reason: 'REMINDER_ALREADY_TODAY',
      params: { at: '2026-03-02T08:00:00.000Z', day: '2026-03-02' },
      message: 'a reminder already went out today (2026-03-02, at 2026-03-02T08:00:00.000Z)',
    });
    // 23:30 UTC is already 3 March in Rome: a new day.
    const d = V.validateSendReminder(inv, collector, T0 + DAY + 23.5 * 3_600_000);
    S.sendReminder(inv, d, T0 + DAY + 23.5 * 3_600_000);
    expect(refusal(() => V.validateSendReminder(inv, collector, T0 + 2 * DAY + 10 * 3_600_000)).reason).toBe(
      'REMINDER_ALREADY_TODAY',
    );
  });

  test('a run that fired its REMINDER step before lastReminder was kept still counts it', () => {
    const inv = invoice();
    S.startStep(inv, S.currentStep(inv)!, T0 + DAY);
    expect(inv.carry.lastReminder).toBeUndefined();
    expect(refusal(() => V.validateSendReminder(inv, collector, T0 + DAY + 60_000)).reason).toBe(
      'REMINDER_ALREADY_TODAY',
    );
  });
});

describe('sending', () => {
  test('a sequence per reminder in the request keys; the timeline names the actor; the clock does not move', () => {
    const inv = invoice();
    fire(inv, T0 + DAY);
    const before = S.nextAction(inv, T0 + 2 * DAY);
    const clock = { stepIndex: inv.carry.stepIndex, anchorMs: inv.carry.anchorMs, shift: inv.carry.clockShiftMs };
    const now = T0 + 2 * DAY;
    const first = S.sendReminder(inv, V.validateSendReminder(inv, { ...collector, note: 'asked by phone' }, now), now);
    expect(first).toEqual({ seq: 1, requests: [{ channel: 'EMAIL', requestKey: 'inv-1:REMINDER-NOW#1:EMAIL' }] });
    const second = S.sendReminder(inv, V.validateSendReminder(inv, collector, now + DAY), now + DAY);
    expect(second.requests[0].requestKey).toBe('inv-1:REMINDER-NOW#2:EMAIL');
    expect({ stepIndex: inv.carry.stepIndex, anchorMs: inv.carry.anchorMs, shift: inv.carry.clockShiftMs }).toEqual(
      clock,
    );
    expect(S.nextAction(inv, now + DAY)).toEqual(before);
    const entry = inv.carry.history.find((h) => h.summary.startsWith('reminder reminder-1 sent now'))!;
    expect(entry).toMatchObject({ kind: 'CONTACT', actorId: 'u-collector' });
    expect(entry.summary).toBe(
      'reminder reminder-1 sent now by a person on EMAIL; the schedule is unchanged — asked by phone',
    );
    expect(S.view(inv, now + DAY).lastReminder).toEqual({
      at: new Date(now + DAY).toISOString(),
      template: 'reminder-1',
      channels: ['EMAIL'],
      manual: true,
    });
  });
});

describe('the collector told to the workflow', () => {
  test('newer versions apply (tasks, search attribute, timeline); older or repeated ones change nothing', () => {
    const inv = invoice({ collectorId: 'u-old' });
    inv.carry.tasks.push({ taskId: 't1', kind: 'CALL', dueAt: 'x', assigneeId: 'u-old', purpose: 'call#1' });
    expect(S.collectorOf(inv)).toBe('u-old');
    expect(S.applyCollectorChange(inv, { collectorId: 'u-new', version: 2, actorId: 'u-manager' }, T0)).toBe(true);
    expect(S.collectorOf(inv)).toBe('u-new');
    expect(inv.carry.tasks[0].assigneeId).toBe('u-new');
    expect(inv.upserts.at(-1)).toEqual([{ key: SA.collector, value: 'u-new' }]);
    expect(inv.carry.history.at(-1)).toMatchObject({
      summary: 'collector changed: u-old → u-new',
      actorId: 'u-manager',
    });
    const upserts = inv.upserts.length;
    expect(S.applyCollectorChange(inv, { collectorId: 'u-new', version: 2 }, T0)).toBe(false);
    expect(S.applyCollectorChange(inv, { collectorId: 'u-old', version: 1 }, T0)).toBe(false);
    expect(S.collectorOf(inv)).toBe('u-new');
    expect(inv.upserts.length).toBe(upserts);
    expect(S.applyCollectorChange(inv, { collectorId: null, version: 3 }, T0)).toBe(true);
    expect(inv.upserts.at(-1)).toEqual([{ key: SA.collector, value: 'unassigned' }]);
  });
});
