/** Payments and ERP adjustments: the paths that end without any human decision. */
import { customerStateQuery, customerWorkflowId, invoiceAdjustedSignal, paymentSignal } from '../../workflows/contract';
import { DAY, invoiceInput } from './fakes';
import { eventually, measure, stateOf, useHarness, finish } from './harness';

const h = useHarness();

test('paid before the due date: no contact, closes PAID', async () => {
  await h.withWorker(async (fake) => {
    const input = invoiceInput(await h.now(), {}, 10);
    const wf = await h.start(input);
    await h.env.sleep(5 * DAY);
    const before = await stateOf(wf);
    expect(before.stage).toBe('OPEN');
    expect(before.daysOverdue).toBe(0);
    expect(before.next).toEqual({ kind: 'REMINDER', at: new Date(Date.parse(input.overdueAt) + DAY).toISOString() });
    await wf.signal(paymentSignal, { reference: 'bank-1', amountMinor: 100_000, paidOn: input.dueDate });
    const result = await finish(wf);
    expect(result.stage).toBe('PAID');
    expect(result.balanceMinor).toBe(0);
    expect(fake.contacts).toHaveLength(0);
    expect(fake.stages()).toEqual(['OPEN', 'PAID']);
    expect(fake.calls.erpPostInvoiceStatus).toHaveLength(1);
    await measure(wf, 'paid-before-due');
  });
}, 60_000);

test('paid after the first reminder: one e-mail with an idempotency key per (invoice, stage, channel, attempt)', async () => {
  await h.withWorker(async (fake) => {
    const input = invoiceInput(await h.now(), {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    const mid = await eventually(async () => {
      const st = await stateOf(wf);
      expect(st.history.some((e) => e.kind === 'CONTACT')).toBe(true);
      return st;
    });
    expect(mid.stage).toBe('REMINDER');
    expect(fake.contacts.map((c) => c.idempotencyKey)).toEqual([`${input.invoiceId}:REMINDER#1:EMAIL:0`]);
    expect(fake.contacts[0]).toMatchObject({ invoiceIds: [input.invoiceId], template: 'reminder-1', channel: 'EMAIL' });
    // The first reminder fires exactly one day (the policy's P1D) after the invoice became overdue.
    expect(fake.contacts[0].atMs).toBeGreaterThanOrEqual(Date.parse(input.overdueAt) + DAY);
    expect(mid.history.some((e) => e.kind === 'CONTACT' && e.summary.startsWith('QUEUED'))).toBe(true);
    await wf.signal(paymentSignal, { reference: 'bank-1', amountMinor: 100_000, paidOn: '2026-01-01' });
    const result = await finish(wf);
    expect(result.stage).toBe('PAID');
    expect(fake.stages()).toEqual(['OPEN', 'REMINDER', 'PAID']);
    await measure(wf, 'paid-after-first-reminder');
  });
}, 60_000);

test('partial payments reduce the balance, a repeated reference counts once, overpayment records a credit', async () => {
  await h.withWorker(async (fake) => {
    const input = invoiceInput(await h.now(), {}, -1);
    const wf = await h.start(input);
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 30_000, paidOn: input.dueDate });
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 30_000, paidOn: input.dueDate });
    await wf.signal(paymentSignal, { reference: 'p-bad', amountMinor: -5, paidOn: input.dueDate });
    let s = await stateOf(wf);
    expect(s.balanceMinor).toBe(70_000);
    expect(s.paidMinor).toBe(30_000);
    await h.env.sleep(2 * DAY);
    s = await stateOf(wf);
    expect(s.stage).toBe('REMINDER');
    expect(fake.transitions.at(-1)!.balanceMinor).toBe(70_000);
    await wf.signal(paymentSignal, { reference: 'p-2', amountMinor: 50_000, paidOn: input.dueDate });
    expect((await stateOf(wf)).balanceMinor).toBe(20_000);
    await wf.signal(paymentSignal, { reference: 'p-3', amountMinor: 25_000, paidOn: input.dueDate });
    const result = await finish(wf);
    expect(result).toMatchObject({ stage: 'PAID', balanceMinor: 0, paidMinor: 105_000, creditMinor: 5_000 });
    expect(result.history.filter((e) => e.kind === 'PAYMENT')).toHaveLength(3);
    expect(fake.transitions.filter((t) => t.entry.kind === 'PAYMENT')).toHaveLength(3);
    await measure(wf, 'partial-payments-overpaid');
  });
}, 60_000);

test('a credit note for the whole balance settles; an ERP cancel cancels', async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    const a = await h.start(invoiceInput(now, {}, -1));
    await a.signal(paymentSignal, { reference: 'p-1', amountMinor: 40_000, paidOn: '2026-01-01' });
    await a.signal(invoiceAdjustedSignal, { reference: 'nc-1', kind: 'CREDIT_NOTE', amountMinor: 60_000 });
    expect(await finish(a)).toMatchObject({ stage: 'SETTLED', creditMinor: 60_000, balanceMinor: 0 });

    const b = await h.start(invoiceInput(now, {}, -1));
    await b.signal(invoiceAdjustedSignal, { reference: 'chg-1', kind: 'AMOUNT_CHANGE', amountMinor: 80_000 });
    expect((await stateOf(b)).balanceMinor).toBe(80_000);
    await b.signal(invoiceAdjustedSignal, { reference: 'x-1', kind: 'CANCEL' });
    expect((await finish(b)).stage).toBe('CANCELLED');
  });
}, 60_000);

test('the walking-skeleton path survives a worker restart without sending twice', async () => {
  const first = await h.withWorker(
    async (fake) => {
      const input = invoiceInput(await h.now(), {}, -1);
      const wf = await h.start(input);
      await h.env.sleep(2 * DAY);
      await eventually(() => expect(fake.contacts).toHaveLength(1));
      return { wf, input };
      // No sticky cache: the next worker gets the workflow at once instead of after the sticky timeout.
    },
    undefined,
    { maxCachedWorkflows: 0, keepRunning: true },
  );
  // A new worker (new fakes, empty cache) replays the history and carries on: no second reminder #1.
  await h.withWorker(
    async (fake) => {
      const customer = h.env.client.workflow.getHandle(customerWorkflowId(first.input.customerId));
      // The customer workflow remembers the contact for its budget window.
      expect((await customer.query(customerStateQuery)).recentContacts).toHaveLength(1);
      await first.wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 100_000, paidOn: '2026-01-01' });
      expect((await first.wf.result()).stage).toBe('PAID');
      expect(fake.contacts).toHaveLength(0);
      // Once the window has passed and nothing is blocked or queued, the customer workflow ends on its own.
      expect(await customer.result()).toMatchObject({ blocked: false, queued: [], recentContacts: [] });
    },
    undefined,
    { reuseQueue: true },
  );
}, 60_000);
