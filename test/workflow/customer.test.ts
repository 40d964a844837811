/** The customer workflow: one order block across invoices, the contact budget, consolidation, quiet hours. */
import { ApplicationFailure } from '@temporalio/common';
import { customerStateQuery, customerWorkflowId, paymentSignal, type PolicyStep } from '../../workflows/contract';
import { DAY, invoiceInput, policy, settings } from './fakes';
import { closed, eventually, measure, stateOf, useHarness, finish } from './harness';

const h = useHarness();

const reminderOnly: PolicyStep[] = [{ stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'reminder-1' }];

test('two invoices of one customer: blocked once, still blocked when one is paid, unblocked when both are', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const steps: PolicyStep[] = [{ stage: 'ORDER_BLOCK', offset: 'P1D', channels: [], template: 'order-block' }];
    const a = invoiceInput(now, { policy: policy({}, steps) }, -1);
    const b = invoiceInput(now, { policy: policy({}, steps), customerId: a.customerId }, -1);
    const wa = await h.start(a);
    const wb = await h.start(b);
    await h.env.sleep(2 * DAY);
    await eventually(async () => {
      expect((await stateOf(wa)).stage).toBe('ORDER_BLOCK');
      expect((await stateOf(wb)).stage).toBe('ORDER_BLOCK');
    });
    const customer = h.env.client.workflow.getHandle(customerWorkflowId(a.customerId));
    await eventually(async () =>
      expect((await customer.query(customerStateQuery)).blockingInvoices.sort()).toEqual(
        [a.invoiceId, b.invoiceId].sort(),
      ),
    );
    expect(fake.blocks).toHaveLength(1);
    await wa.signal(paymentSignal, { reference: 'pa', amountMinor: 100_000, paidOn: a.dueDate });
    expect(await closed(wa)).toBe('COMPLETED');
    await eventually(async () =>
      expect(await customer.query(customerStateQuery)).toMatchObject({
        blocked: true,
        blockingInvoices: [b.invoiceId],
      }),
    );
    expect(fake.unblocks).toHaveLength(0);
    await wb.signal(paymentSignal, { reference: 'pb', amountMinor: 100_000, paidOn: b.dueDate });
    expect((await finish(wb)).stage).toBe('PAID');
    await eventually(() => expect(fake.unblocks).toHaveLength(1));
    expect(fake.blocks[0].idempotencyKey).toMatch(new RegExp(`^${a.customerId}:ORDER_BLOCK@\\d+:block$`));
    expect(fake.unblocks[0].idempotencyKey).toBe(fake.blocks[0].idempotencyKey.replace(/:block$/, ':unblock'));
    const final = await customer.result();
    expect(final).toMatchObject({ blocked: false, blockingInvoices: [] });
    await measure(customer, 'customer-block-two-invoices');
  });
}, 60_000);

test('contact budget: at most 2 contacts per 7 days across three invoices; the third waits for a free slot', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const p = policy({ settings: settings({ contactBudget: { max: 2, window: 'P7D' } }) }, reminderOnly);
    const first = invoiceInput(now, { policy: p }, -1);
    const inputs = [first, invoiceInput(now, { policy: p, customerId: first.customerId }, -1)];
    inputs.push(invoiceInput(now, { policy: p, customerId: first.customerId }, -1));
    for (const input of inputs) await h.start(input);
    await h.env.sleep(2 * DAY);
    await eventually(() => expect(fake.contacts).toHaveLength(2));
    const customer = h.env.client.workflow.getHandle(customerWorkflowId(first.customerId));
    const held = await customer.query(customerStateQuery);
    expect(held.queued).toHaveLength(1);
    expect(held.recentContacts).toHaveLength(2);
    await h.env.sleep(3 * DAY);
    expect(fake.contacts).toHaveLength(2);
    await h.env.sleep(3 * DAY);
    await eventually(() => expect(fake.contacts).toHaveLength(3));
    const [c1, , c3] = fake.contacts;
    expect(c3.atMs - c1.atMs).toBeGreaterThanOrEqual(7 * DAY);
    expect(c3.atMs - c1.atMs).toBeLessThan(7 * DAY + 60_000);
    expect(new Set(fake.contacts.map((c) => c.invoiceIds[0])).size).toBe(3);
  });
}, 60_000);

test('consolidation: reminders of three invoices within the window go out as one message', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const p = policy({ settings: settings({ consolidationWindow: 'PT2H' }) }, reminderOnly);
    const first = invoiceInput(now, { policy: p }, -1);
    const inputs = [first, invoiceInput(now, { policy: p, customerId: first.customerId }, -1)];
    inputs.push(invoiceInput(now, { policy: p, customerId: first.customerId }, -1));
    const handles = await Promise.all(inputs.map((i) => h.start(i)));
    await h.env.sleep(DAY + 3 * 3_600_000);
    await eventually(() => expect(fake.contacts).toHaveLength(1));
    const [c] = fake.contacts;
    expect([...c.invoiceIds].sort()).toEqual(inputs.map((i) => i.invoiceId).sort());
    expect(c.template).toBe('reminder-1');
    expect(c.idempotencyKey).toMatch(/\+2:0$/);
    for (const wf of handles) {
      await eventually(async () =>
        expect((await stateOf(wf)).history.find((e) => e.kind === 'CONTACT')?.summary).toContain('with 2 more'),
      );
    }
  });
}, 60_000);

test('quiet hours: a DEFERRED contact is asked again at notBefore with the next attempt number', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, { policy: policy({}, reminderOnly) }, -1);
    let deferred = 0;
    fake.hooks.sendContact = (r) => {
      if (deferred++ > 0) return undefined;
      return {
        contactEventId: 'ce-deferred',
        status: 'DEFERRED',
        notBefore: new Date(Date.parse(input.overdueAt) + DAY + 8 * 3_600_000).toISOString(),
        detail: `quiet hours for ${r.idempotencyKey}`,
      };
    };
    const wf = await h.start(input);
    await h.env.sleep(DAY + 12 * 3_600_000);
    await eventually(() => expect(fake.contacts).toHaveLength(1));
    expect(fake.contacts[0].idempotencyKey).toBe(`${input.invoiceId}:REMINDER#1:EMAIL:1`);
    expect(fake.contacts[0].atMs - (Date.parse(input.overdueAt) + DAY)).toBeGreaterThanOrEqual(8 * 3_600_000);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: input.dueDate });
    expect((await finish(wf)).stage).toBe('PAID');
  });
}, 60_000);

test('no address for a channel (SKIPPED): the invoice opens one FIX_CONTACT task and dunning goes on', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    fake.hooks.sendContact = (r) => ({
      contactEventId: `ce-${r.idempotencyKey}`,
      status: 'SKIPPED',
      detail: 'no e-mail',
    });
    const wf = await h.start(invoiceInput(now, {}, -1));
    await h.env.sleep(9 * DAY); // reminder-1 and reminder-2, both skipped
    const st = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.history.filter((e) => e.kind === 'CONTACT' && e.summary.startsWith('SKIPPED'))).toHaveLength(2);
      return s;
    });
    expect(st.pendingTasks.map((t) => t.kind)).toEqual(['FIX_CONTACT']);
    expect(fake.tasks.filter((t) => t.kind === 'FIX_CONTACT')).toHaveLength(1);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: st.dueDate });
    expect((await finish(wf)).stage).toBe('PAID');
    expect(fake.closedTasks).toEqual([expect.objectContaining({ status: 'CANCELLED' })]);
  });
}, 60_000);

test('a contact the channel refuses for good does not end the customer workflow: the invoice gets a task', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    fake.hooks.sendContact = () => {
      throw ApplicationFailure.nonRetryable('unknown template "reminder-9"', 'UnknownTemplate');
    };
    const input = invoiceInput(now, {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    const st = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.history.some((e) => e.kind === 'CONTACT' && e.summary.startsWith('SKIPPED'))).toBe(true);
      return s;
    });
    expect(st.pendingTasks.map((t) => t.kind)).toEqual(['FIX_CONTACT']);
    const customer = h.env.client.workflow.getHandle(customerWorkflowId(input.customerId));
    // It goes on (or finishes idle, to be started again by the next message); it never fails.
    expect(['RUNNING', 'COMPLETED']).toContain((await customer.describe()).status.name);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: st.dueDate });
    expect((await finish(wf)).stage).toBe('PAID');
  });
}, 60_000);

test('an ERP that refuses the block and the unblock: recorded, a task each, the block holders and the workflow kept', async () => {
  await h.withWorker(async (fake) => {
    const refuse = (what: string) => () => {
      throw ApplicationFailure.nonRetryable(
        `ERP refused POST /customers/x/${what}: HTTP 404 unknown customer`,
        'ErpRejected',
      );
    };
    fake.hooks.erpBlockCustomer = refuse('block');
    fake.hooks.erpUnblockCustomer = refuse('unblock');
    const now = await h.now();
    const steps: PolicyStep[] = [{ stage: 'ORDER_BLOCK', offset: 'P1D', channels: [], template: 'order-block' }];
    const a = invoiceInput(now, { policy: policy({}, steps) }, -1);
    const b = invoiceInput(now, { policy: policy({}, steps), customerId: a.customerId }, -1);
    const wa = await h.start(a);
    const wb = await h.start(b);
    await h.env.sleep(2 * DAY);
    const customer = h.env.client.workflow.getHandle(customerWorkflowId(a.customerId));
    const blocked = await eventually(async () => {
      const st = await customer.query(customerStateQuery);
      expect(st.blockingInvoices.sort()).toEqual([a.invoiceId, b.invoiceId].sort());
      expect(st.erpRefusals).toHaveLength(1);
      return st;
    });
    // Segugio's decision stands (blocked), the refusal is recorded, and one person is asked to make the ERP agree.
    expect(blocked).toMatchObject({ blocked: true, erpRefusals: [{ action: 'block' }] });
    expect(blocked.erpRefusals[0].message).toContain('HTTP 404');
    expect(fake.tasks.filter((t) => t.kind === 'ERP_REFUSED')).toHaveLength(1);
    expect((await customer.describe()).status.name).toBe('RUNNING');

    await wa.signal(paymentSignal, { reference: 'pa', amountMinor: 100_000, paidOn: a.dueDate });
    await wb.signal(paymentSignal, { reference: 'pb', amountMinor: 100_000, paidOn: b.dueDate });
    expect((await finish(wa)).stage).toBe('PAID');
    expect((await finish(wb)).stage).toBe('PAID');
    // The unblock is refused too: recorded, a second task, and the workflow ends normally instead of failing.
    const final = await customer.result();
    expect(final).toMatchObject({ blocked: false, blockingInvoices: [] });
    expect(final.erpRefusals.map((r: { action: string }) => r.action)).toEqual(['block', 'unblock']);
    const tasks = fake.tasks.filter((t) => t.kind === 'ERP_REFUSED');
    expect(tasks).toHaveLength(2);
    expect(tasks[1]).toMatchObject({ customerId: a.customerId, invoiceId: null });
    expect(tasks[1].note).toContain('unblock');
    await measure(customer, 'customer-erp-refuses-block-and-unblock');
  });
}, 90_000);
