/**
 * Statements of account through the customer workflow (patch `customer-statement`): a policy step whose template is
 * `statement` hit by three invoices of one customer the same day sends ONE statement naming all three; statements
 * count against the contact budget and wait for it; a console ask is sent once per request key.
 */
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import {
  STATEMENT_TEMPLATE,
  customerMessageSignal,
  customerStateQuery,
  customerWorkflowId,
  type PolicyStep,
} from '../../workflows/contract';
import { DAY, invoiceInput, policy, settings } from './fakes';
import { eventually, stateOf, useHarness } from './harness';

const h = useHarness();

const statementStep: PolicyStep[] = [
  { stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: STATEMENT_TEMPLATE },
];

test('three invoices hitting a statement step the same day: one statement, every invoice told', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const p = policy({ settings: settings({ consolidationWindow: 'PT2H' }) }, statementStep);
    const first = invoiceInput(now, { policy: p }, -1);
    const inputs = [first, invoiceInput(now, { policy: p, customerId: first.customerId }, -1)];
    inputs.push(invoiceInput(now, { policy: p, customerId: first.customerId }, -1));
    const handles = await Promise.all(inputs.map((i) => h.start(i)));
    await h.env.sleep(DAY + 3 * 3_600_000);
    await eventually(() => expect(fake.statements).toHaveLength(1));
    const [st] = fake.statements;
    expect([...st.invoiceIds].sort()).toEqual(inputs.map((i) => i.invoiceId).sort());
    expect(st).toMatchObject({ customerId: first.customerId, channel: 'EMAIL', stage: 'REMINDER' });
    expect(st.idempotencyKey).toMatch(new RegExp(`^statement:${first.customerId}:\\d{4}-\\d{2}-\\d{2}:EMAIL:0$`));
    // No reminder text went out besides it.
    expect(fake.contacts).toHaveLength(0);
    for (const wf of handles) {
      await eventually(async () => expect((await stateOf(wf)).history.some((e) => e.kind === 'CONTACT')).toBe(true));
    }
    const customer = h.env.client.workflow.getHandle(customerWorkflowId(first.customerId));
    expect((await customer.query(customerStateQuery)).recentContacts).toHaveLength(1);
  });
}, 60_000);

test('a statement counts against the contact budget and waits for a free slot', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const budget = settings({ contactBudget: { max: 1, window: 'P7D' }, consolidationWindow: 'PT0S' });
    const reminder = policy({ settings: budget }, [
      { stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'reminder-1' },
    ]);
    const first = invoiceInput(now, { policy: reminder }, -1);
    await h.start(first);
    await h.env.sleep(DAY + 3_600_000);
    await eventually(() => expect(fake.contacts).toHaveLength(1));
    const second = invoiceInput(
      now,
      { policy: policy({ settings: budget }, statementStep), customerId: first.customerId },
      -1,
    );
    await h.start(second);
    await h.env.sleep(DAY + 3_600_000);
    expect(fake.statements).toHaveLength(0);
    await h.env.sleep(6 * DAY);
    await eventually(() => expect(fake.statements).toHaveLength(1));
    expect(fake.statements[0].atMs - fake.contacts[0].atMs).toBeGreaterThanOrEqual(7 * DAY);
  });
}, 60_000);

test('a console ask is sent once per request key, with no invoice to tell', async () => {
  await h.withWorker(async (fake) => {
    const customerId = `cust-${Math.random().toString(36).slice(2, 10)}`;
    const ask = {
      type: 'statement' as const,
      requestKey: 'console:req-1',
      channel: 'PEC' as const,
      lang: 'en' as const,
      contactBudget: { max: 5, window: 'P7D' },
    };
    for (let i = 0; i < 2; i++) {
      await h.env.client.workflow.signalWithStart('customerWorkflow', {
        workflowId: customerWorkflowId(customerId),
        taskQueue: fake.taskQueue,
        args: [{ customerId }],
        signal: customerMessageSignal,
        signalArgs: [ask],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
    }
    await eventually(() => expect(fake.statements).toHaveLength(1));
    expect(fake.statements[0]).toMatchObject({
      customerId,
      channel: 'PEC',
      lang: 'en',
      invoiceIds: [],
      idempotencyKey: `statement:${customerId}:console:req-1:PEC:0`,
    });
    await h.env.sleep(DAY);
    expect(fake.calls.sendStatement).toHaveLength(1);
  });
}, 60_000);
