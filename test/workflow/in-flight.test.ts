/**
 * Messages that arrive while the workflow awaits an activity, and the release's patched behaviours, on the real dev
 * server (updates wait in real time there): a halt accepted mid-step stops that step's contacts
 * (`halt-stops-step-contacts`), legal events on a long case keep distinct keys (`legal-event-seq`), an ERP refusal
 * of the closing status no longer fails a closed invoice (`erp-refusal-on-close`), and a refusal carries its reason
 * code. Each records a history for test/histories/ (RECORD_HISTORIES=1).
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  DECISION_REJECTED,
  callStatusSignal,
  invoiceStateQuery,
  openDisputeUpdate,
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
