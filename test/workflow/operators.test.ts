/**
 * What an operator sees in the Temporal UI, and contacts withdrawn on a halt, on the real dev server (it keeps user
 * metadata and serves visibility queries):
 * - `search-attributes-from-contract` + `sa-currency-digits`: a workflow started without search attributes sets the
 *   contract's `initialSearchAttributes`, with `InvoiceNumber`, and `Balance` in the currency's own major units
 *   (ISO 4217: JPY 0 minor digits, KWD 3): JPY 125,000 → 125000, KWD 13.300 → 13.3 (÷ 100 gave 1250 and 133).
 * - the workflow's current details ("F-… · REMINDER · 125.000 JPY" and what it waits for) and its timer's summary.
 * - `halt-withdraws-queued-contacts`: a reminder waiting in the customer workflow's consolidation window when a
 *   dispute is accepted never goes out.
 * Each records a history for test/histories/ (RECORD_HISTORIES=1).
 */
import { TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  SA,
  customerStateQuery,
  customerWorkflowId,
  invoiceWorkflowId,
  openDisputeUpdate,
  paymentSignal,
  type InvoiceWorkflowInput,
} from '../../workflows/contract';
import { invoiceInput, policy, settings } from './fakes';
import { collector, dateIn, eventually, finish, measure, useHarness } from './harness';

const h = useHarness('dev-server');

const reminderIn = (offset: string, consolidationWindow = 'PT0S') =>
  policy({ settings: settings({ consolidationWindow }) }, [
    { stage: 'REMINDER', offset, channels: ['EMAIL'], template: 'reminder-1' },
    { stage: 'REMINDER', offset: 'P7D', channels: ['EMAIL'], template: 'reminder-2' },
  ]);

/** The text of a user-metadata payload (JSON-encoded string). */
const text = (p: temporal.api.common.v1.IPayload | null | undefined): string | undefined =>
  p?.data ? (JSON.parse(Buffer.from(p.data).toString('utf8')) as string) : undefined;

test('started without search attributes: the contract set, InvoiceNumber, Balance in JPY and KWD digits', async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    const jpy = invoiceInput(now, { currency: 'JPY', amountMinor: 125_000, balanceMinor: 125_000 }, 5);
    const kwd = invoiceInput(now, { currency: 'KWD', amountMinor: 13_300, balanceMinor: 13_300 }, 5);
    const a = await h.start(jpy);
    const b = await h.start(kwd);
    const attrs = async (input: InvoiceWorkflowInput) =>
      eventually(async () => {
        const d = await h.env.client.workflow.getHandle(invoiceWorkflowId(input.invoiceId)).describe();
        expect(d.typedSearchAttributes.get(SA.invoiceNumber)).toBe(input.invoiceNumber);
        return d.typedSearchAttributes;
      });
    const ja = await attrs(jpy);
    expect(ja.get(SA.balance)).toBe(125_000);
    expect(ja.get(SA.stage)).toBe('OPEN');
    expect(ja.get(SA.collector)).toBe('u-collector');
    expect(ja.get(SA.currency)).toBe('JPY');
    expect(ja.get(SA.daysOverdue)).toBe(0);
    expect((await attrs(kwd)).get(SA.balance)).toBe(13.3);
    // An operator finds the invoice by its number.
    const found = await eventually(async () => {
      const n = await h.env.client.workflow.count(`InvoiceNumber = '${jpy.invoiceNumber}'`);
      expect(n.count).toBe(1);
      return n.count;
    }, 20_000);
    expect(found).toBe(1);
    // A payment upserts the balance in the same digits.
    await a.signal(paymentSignal, { reference: 'p-1', amountMinor: 25_000, paidOn: dateIn(now, 0) });
    await eventually(async () => expect((await a.describe()).typedSearchAttributes.get(SA.balance)).toBe(100_000));
    await a.signal(paymentSignal, { reference: 'p-2', amountMinor: 100_000, paidOn: dateIn(now, 0) });
    await b.signal(paymentSignal, { reference: 'p-1', amountMinor: 13_300, paidOn: dateIn(now, 0) });
    expect(await finish(a)).toMatchObject({ stage: 'PAID' });
    expect(await finish(b)).toMatchObject({ stage: 'PAID' });
    await measure(a, 'search-attributes-jpy');
  });
}, 60_000);

test('an intake older than InvoiceNumber: the workflow adds it and keeps the attributes it was given', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, {}, 5);
    const wf = await h.env.client.workflow.start('invoiceWorkflow', {
      args: [input],
      taskQueue: fake.taskQueue,
      workflowId: invoiceWorkflowId(input.invoiceId),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SA.customerId, value: input.customerId },
        { key: SA.segment, value: 'SEG-GIVEN' },
      ]),
    });
    const attrs = await eventually(async () => {
      const d = await wf.describe();
      expect(d.typedSearchAttributes.get(SA.invoiceNumber)).toBe(input.invoiceNumber);
      return d.typedSearchAttributes;
    });
    expect(attrs.get(SA.segment)).toBe('SEG-GIVEN');
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 0) });
    await eventually(async () => expect((await wf.describe()).status.name).toBe('COMPLETED'));
  });
}, 60_000);

test('current details and the timer name tell the operator what the invoice waits for', async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    const input = invoiceInput(
      now,
      { invoiceNumber: `FT-2026-${now}`, amountMinor: 1_530_000, balanceMinor: 1_530_000, policy: reminderIn('P3D') },
      -1,
    );
    const wf = await h.start(input);
    const details = await eventually(async () => {
      const m = await wf.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(m.currentDetails).toMatch(/next step/);
      return m.currentDetails!;
    });
    // The overdue moment is the day after the due date (UTC in these inputs): reminder-1 three days later.
    const fireAt = Date.parse(input.overdueAt) + 3 * 86_400_000;
    const when = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Rome',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(fireAt);
    expect(details).toBe(
      `${input.invoiceNumber} · OPEN · 15.300,00\u00a0€\n\nnext step: reminder-1 (REMINDER) on ${when}`,
    );
    const history = await wf.fetchHistory();
    const timer = history.events?.find((e) => e.timerStartedEventAttributes);
    expect(text(timer?.userMetadata?.summary)).toBe(`next step: reminder-1 (REMINDER) on ${when}`);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 0) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    // The closing activity is named for what it does.
    const done = await wf.fetchHistory();
    const post = done.events?.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'erpPostInvoiceStatus',
    );
    expect(text(post?.userMetadata?.summary)).toBe('tell the ERP: PAID');
    await measure(wf, 'operator-details-and-timer-summary');
  });
}, 60_000);

test('a reminder queued in the consolidation window is withdrawn when a dispute is accepted', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    // reminder-1 fires at once; the customer workflow holds it for the 1-hour consolidation window.
    const input = invoiceInput(now, { policy: reminderIn('PT1S', 'PT1H') }, -1);
    const wf = await h.start(input);
    const customer = h.env.client.workflow.getHandle(customerWorkflowId(input.customerId));
    await eventually(async () => {
      const s = await customer.query(customerStateQuery);
      expect(s.queued.map((q) => q.invoiceId)).toEqual([input.invoiceId]);
    }, 15_000);
    const opened = await wf.executeUpdate(openDisputeUpdate, {
      args: [{ ...collector, reasonCode: 'DEFECTIVE_GOODS', note: 'pallet damaged' }],
    });
    expect(opened.dispute).toMatchObject({ reasonCode: 'DEFECTIVE_GOODS' });
    expect(fake.customerMessages.map((m) => m.message.type)).toEqual(['contact', 'withdraw']);
    const asked = (await wf.fetchHistory()).events?.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'signalCustomerWorkflow',
    );
    expect(asked?.map((e) => text(e.userMetadata?.summary))).toEqual([
      'ask customer workflow: REMINDER reminder-1 by EMAIL',
      `ask customer workflow: withdraw (invoice ${input.invoiceNumber})`,
    ]);
    // Nothing left queued or sent: the customer workflow has nothing to do and finishes.
    await eventually(async () => expect((await customer.describe()).status.name).toBe('COMPLETED'), 15_000);
    expect(fake.contacts).toEqual([]);
    expect(fake.calls.sendContact).toBeUndefined();
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 0) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    await measure(wf, 'dispute-withdraws-queued-reminder');
  });
}, 60_000);
