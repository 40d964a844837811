/**
 * A reminder sent now by a person (update `sendReminder`, patch `reminder-now`) and a reassignment told to the
 * running workflow (signal `collectorChanged`, patch `collector-follows-reassign`), on the time-skipping server.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { DECISION_REJECTED, pauseUpdate, paymentSignal, sendReminderUpdate } from '../../workflows/contract';
import { DAY, invoiceInput } from './fakes';
import { collector, dateIn, eventually, expectNear, finish, measure, stateOf, useHarness } from './harness';

const h = useHarness();

const manual = (key: string) => key.includes(':REMINDER-NOW#');

async function refusal(p: Promise<unknown>): Promise<{ reason: string; params: Record<string, unknown> }> {
  const failed = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failed).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (failed as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe(DECISION_REJECTED);
  return cause.details?.[0] as { reason: string; params: Record<string, unknown> };
}

test('sent now on the step’s channels, once a day, and the schedule does not move', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, {}, -1));
    await h.env.sleep(3 * DAY); // reminder-1 went out; reminder-2 is due 7 days after it
    await eventually(() => expect(fake.contacts.map((c) => c.template)).toEqual(['reminder-1']));
    const before = await stateOf(wf);
    const sent = await wf.executeUpdate(sendReminderUpdate, { args: [{ ...collector, note: 'asked on the phone' }] });
    expect(sent.lastReminder).toMatchObject({ template: 'reminder-1', channels: ['EMAIL'], manual: true });
    // The policy clock is not touched: the next step is where it was.
    expect(sent.next).toEqual(before.next);
    await eventually(() =>
      expect(fake.contacts.map((c) => [c.template, manual(c.idempotencyKey)])).toEqual([
        ['reminder-1', false],
        ['reminder-1', true],
      ]),
    );
    expect(fake.contacts[1]).toMatchObject({ stage: 'REMINDER', channel: 'EMAIL', invoiceIds: [before.invoiceId] });
    // Never two the same day.
    expect((await refusal(wf.executeUpdate(sendReminderUpdate, { args: [{ ...collector }] }))).reason).toBe(
      'REMINDER_ALREADY_TODAY',
    );
    // reminder-2 on its own schedule: 7 days after reminder-1, not after the reminder sent by hand.
    await h.env.sleep(6 * DAY);
    await eventually(() =>
      expect(fake.contacts.map((c) => c.template)).toEqual(['reminder-1', 'reminder-1', 'reminder-2']),
    );
    const r1 = Date.parse(before.history.find((e) => e.summary.startsWith('REMINDER (reminder-1)'))!.at);
    expectNear(fake.contacts[2].atMs, r1 + 7 * DAY, 60_000);
    // Paused: refused with its reason; the timeline kept who sent the reminder.
    await wf.executeUpdate(pauseUpdate, { args: [{ ...collector, reason: 'customer on holiday' }] });
    expect((await refusal(wf.executeUpdate(sendReminderUpdate, { args: [{ ...collector }] }))).reason).toBe(
      'REMINDER_PAUSED',
    );
    const st = await stateOf(wf);
    expect(st.history.find((e) => e.summary.startsWith('reminder reminder-1 sent now'))).toMatchObject({
      kind: 'CONTACT',
      actorId: collector.actorId,
    });
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 100_000, paidOn: dateIn(now, 10) });
    expect((await finish(wf)).stage).toBe('PAID');
    await measure(wf, 'reminder-sent-now');
  });
}, 90_000);
