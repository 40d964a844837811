/**
 * Messages that arrive while the workflow awaits an activity, and the release's patched behaviours, on the real dev
 * server (updates wait in real time there): a dispute or pause accepted mid-step stops that step's contacts
 * (`halt-stops-step-contacts`), legal events on a long case keep distinct keys (`legal-event-seq`), an ERP refusal
 * of the closing status no longer fails a closed invoice (`erp-refusal-on-close`), a refusal carries its reason
 * code, a payment heard while the loop writes its records is written at once (`messages-during-flush`), and the
 * mirror writes run as local activities (`mirror-by-local-activity`). Each records a history for test/histories/
 * (RECORD_HISTORIES=1).
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  DECISION_REJECTED,
  callStatusSignal,
  invoiceStateQuery,
  openDisputeUpdate,
  pauseUpdate,
  paymentSignal,
  recordLegalEventUpdate,
  recordPromiseUpdate,
} from '../../workflows/contract';
import type { CreateTaskInput } from '../../activities/types';
import { invoiceInput, policy } from './fakes';
import { closed, collector, dateIn, eventually, finish, manager, measure, useHarness } from './harness';

const h = useHarness('dev-server');

test('a dispute opened while the CALL step awaits its task: the step sends no contact', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const steps = [
      { stage: 'CALL' as const, offset: 'PT1S', channels: ['TASK' as const, 'EMAIL' as const], template: 'call' },
    ];
    const input = invoiceInput(now, { policy: policy({}, steps) }, -1);
    // The step's first activity (its CALL task) stays in flight until the dispute has been accepted.
    const release = fake.hold('createTask', (arg) => (arg as CreateTaskInput).kind === 'CALL');
    const wf = await h.start(input);
    await eventually(() => expect(fake.calls.createTask?.length).toBe(1), 15_000);
    const opened = await wf.executeUpdate(openDisputeUpdate, {
      args: [{ ...collector, reasonCode: 'DEFECTIVE_GOODS', note: 'pallet damaged' }],
    });
    expect(opened.dispute).toMatchObject({ reasonCode: 'DEFECTIVE_GOODS' });
    release();
    const st = await eventually(async () => {
      const s = await wf.query(invoiceStateQuery);
      expect(s.stage).toBe('CALL');
      return s;
    });
    expect(st.history.at(-1)?.summary).toBe('CALL (call) — on schedule; contacts withheld (dispute open)');
    expect(fake.customerMessages.filter((m) => m.message.type === 'contact')).toEqual([]);
    expect(fake.tasks.map((t) => t.kind).sort()).toEqual(['CALL', 'REVIEW_DISPUTE']);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 0) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    expect(fake.customerMessages.filter((m) => m.message.type === 'contact')).toEqual([]);
    await measure(wf, 'dispute-during-step-activity');
  });
}, 60_000);

test('a pause accepted while the ORDER_BLOCK step awaits the block: the step sends no contact', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const steps = [{ stage: 'ORDER_BLOCK' as const, offset: 'PT1S', channels: ['EMAIL' as const], template: 'block' }];
    const input = invoiceInput(now, { policy: policy({}, steps) }, -1);
    // The step's first activity (asking the customer workflow to block orders) stays in flight until released.
    const isBlock = (arg: unknown) => (arg as { message: { type: string } }).message.type === 'block';
    const release = fake.hold('signalCustomerWorkflow', isBlock);
    const wf = await h.start(input);
    await eventually(() => expect(fake.calls.signalCustomerWorkflow?.length).toBe(1), 15_000);
    const paused = await wf.executeUpdate(pauseUpdate, { args: [{ ...collector, reason: 'customer on holiday' }] });
    expect(paused.paused).toMatchObject({ reason: 'customer on holiday' });
    release();
    const st = await eventually(async () => {
      const s = await wf.query(invoiceStateQuery);
      expect(s.stage).toBe('ORDER_BLOCK');
      return s;
    });
    expect(st.history.at(-1)?.summary).toBe('ORDER_BLOCK (block) — on schedule; contacts withheld (paused)');
    expect(fake.customerMessages.map((m) => m.message.type)).toEqual(['block']);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 0) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    // Closing releases the block; still no contact.
    expect(fake.customerMessages.map((m) => m.message.type)).toEqual(['block', 'release']);
    await measure(wf, 'pause-during-order-block');
  });
}, 60_000);

test('two zero-cost legal events of the same step and date on a long case are both recorded', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const steps = [{ stage: 'LEGAL' as const, offset: 'PT1S', channels: [], template: 'legal' }];
    const input = invoiceInput(now, { policy: policy({}, steps) }, -1);
    const wf = await h.start(input);
    await eventually(async () => expect((await wf.query(invoiceStateQuery)).legal?.approved).toBe(true), 15_000);
    // More timeline entries than the workflow keeps (100): the old key, built on the timeline's length, repeats.
    for (let i = 0; i < 110; i++) {
      await wf.signal(callStatusSignal, {
        contactEventId: `ce-${i}`,
        channel: 'VOICE',
        status: 'NO_ANSWER',
        at: new Date(now).toISOString(),
      });
    }
    const event = { ...collector, step: 'DIFFIDA' as const, date: dateIn(now, 0), costMinor: 0 };
    await wf.executeUpdate(recordLegalEventUpdate, { args: [event] });
    await wf.executeUpdate(recordLegalEventUpdate, { args: [event] });
    const keys = fake.decisions.flatMap((d) =>
      d.record.kind === 'LEGAL' && d.record.event ? [d.record.event.eventKey] : [],
    );
    expect(keys).toEqual(['event#1', 'event#2']);
    await wf.executeUpdate(recordLegalEventUpdate, { args: [{ ...event, step: 'CLOSED' }] });
    expect(await finish(wf)).toMatchObject({ stage: 'LEGAL_CLOSED' });
    await measure(wf, 'legal-events-on-a-long-case');
  });
}, 60_000);

test('the ERP refuses the closing status: the invoice completes, a person is asked to reconcile', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    fake.hooks.erpPostInvoiceStatus = () => {
      throw ApplicationFailure.nonRetryable('ERP does not know /invoices/x/status', 'ErpRejected');
    };
    const input = invoiceInput(now, {}, 5);
    const wf = await h.start(input);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 0) });
    expect(await closed(wf)).toBe('COMPLETED');
    const st = await wf.result();
    expect(st.stage).toBe('PAID');
    expect(st.pendingTasks).toMatchObject([{ kind: 'ERP_REFUSED' }]);
    expect(fake.tasks.at(-1)).toMatchObject({ kind: 'ERP_REFUSED', note: 'ERP does not know /invoices/x/status' });
    expect(fake.transitions.at(-1)?.entry.summary).toBe(
      'the ERP refused the closing status PAID: ERP does not know /invoices/x/status; a task asks to reconcile it',
    );
    await measure(wf, 'erp-refuses-closing-status');
  });
}, 60_000);

test('a refusal carries its reason code and parameters in details[0]', async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, {}, 5));
    const failed = await wf
      .executeUpdate(recordPromiseUpdate, {
        args: [{ ...manager, promisedDate: dateIn(now, 3), amountMinor: 200_000 }],
      })
      .catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (failed as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(DECISION_REJECTED);
    expect(cause.message).toBe('amountMinor 200000 exceeds the balance 100000');
    expect(cause.details?.[0]).toEqual({
      reason: 'AMOUNT_EXCEEDS_BALANCE',
      params: { amountMinor: 200_000, balanceMinor: 100_000 },
    });
  });
}, 60_000);

test('a payment signalled while the loop writes its records is written at once, not at the next timer', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    // Due in ten days: the loop's next timer (the first reminder) is far away.
    const input = invoiceInput(now, {}, 10);
    const isStart = (arg: unknown) => (arg as { entry: { kind: string } }).entry.kind === 'STAGE';
    const release = fake.hold('recordTransition', isStart);
    const wf = await h.start(input);
    await eventually(() => expect(fake.calls.recordTransition?.length).toBe(1), 15_000);
    await wf.signal(paymentSignal, { reference: 'bank-1', amountMinor: 40_000, paidOn: dateIn(now, 0) });
    await eventually(async () => expect((await wf.query(invoiceStateQuery)).balanceMinor).toBe(60_000));
    release();
    // The payment's record reaches the mirror without waiting ten days for the reminder's timer.
    const paid = await eventually(() => {
      const p = fake.transitions.find((t) => t.entry.kind === 'PAYMENT');
      expect(p).toBeDefined();
      return p!;
    }, 15_000);
    expect(paid.balanceMinor).toBe(60_000);
    expect(fake.transitions.map((t) => t.entry.kind)).toEqual(['STAGE', 'PAYMENT']);
    await wf.signal(paymentSignal, { reference: 'bank-2', amountMinor: 60_000, paidOn: dateIn(now, 0) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    await measure(wf, 'payment-during-record-transition');
  });
}, 60_000);

test('the mirror writes run as local activities: a decision answers after one workflow task, a failed write is retried', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, {}, 10);
    const wf = await h.start(input);
    await eventually(() => expect(fake.transitions).toHaveLength(1), 15_000);
    // The database refuses the pause's record twice: the local activity retries and the decision still answers.
    fake.hooks.recordTransitionFailures = 2;
    const paused = await wf.executeUpdate(pauseUpdate, { args: [{ ...collector, reason: 'customer on holiday' }] });
    expect(paused.paused).toMatchObject({ reason: 'customer on holiday' });
    expect(fake.calls.recordTransition!.length).toBeGreaterThanOrEqual(4);
    expect(fake.transitions.map((t) => t.entry.kind)).toEqual(['STAGE', 'DECISION']);
    const events = (await wf.fetchHistory()).events ?? [];
    // No activity task for a mirror write: each is a local-activity marker inside the workflow task.
    const scheduled = events
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((n): n is string => Boolean(n));
    expect(scheduled.filter((n) => n === 'recordTransition' || n === 'recordDecision')).toEqual([]);
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length).toBe(2);
    await wf.signal(paymentSignal, { reference: 'bank-1', amountMinor: input.balanceMinor, paidOn: dateIn(now, 0) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    await measure(wf, 'decision-mirror-local-activity');
  });
}, 60_000);
