/** Repayment plans, the escalation ladder after a default, and the legal stage with its approval. */
import {
  approveLegalUpdate,
  customerStateQuery,
  customerWorkflowId,
  declineLegalUpdate,
  noticeReceiptSignal,
  paymentSignal,
  proposePlanUpdate,
  recordLegalEventUpdate,
  type Instalment,
  type PolicyStep,
} from '../../workflows/contract';
import { DAY, deliveryReceipt, invoiceInput, policy } from './fakes';
import { dateIn, eventually, manager, measure, stateOf, useHarness, finish } from './harness';

const h = useHarness();

const waitStage = (wf: Parameters<typeof stateOf>[0], stage: string) =>
  eventually(async () => {
    const st = await stateOf(wf);
    expect(st.stage).toBe(stage);
    return st;
  });

test('repayment plan completed: instalments matched to payments in date order, closes SETTLED', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, {}, -1));
    await h.env.sleep(2 * DAY);
    const instalments: Instalment[] = [
      { dueDate: dateIn(now, 10), amountMinor: 30_000 },
      { dueDate: dateIn(now, 40), amountMinor: 30_000 },
      { dueDate: dateIn(now, 70), amountMinor: 40_000 },
    ];
    const st = await wf.executeUpdate(proposePlanUpdate, {
      args: [{ ...manager, instalments, note: 'agreed by phone' }],
    });
    expect(st.stage).toBe('REPAYMENT_PLAN');
    expect(st.plan?.status).toBe('ACTIVE');
    expect(st.next?.kind).toBe('INSTALMENT_CHECK');
    await wf.signal(paymentSignal, { reference: 'i-1', amountMinor: 30_000, paidOn: dateIn(now, 9) });
    await h.env.sleep(30 * DAY);
    // Paying a bit more than the second instalment spills into the third.
    await wf.signal(paymentSignal, { reference: 'i-2', amountMinor: 35_000, paidOn: dateIn(now, 38) });
    const mid = await stateOf(wf);
    expect(mid.plan?.instalments.map((i) => [i.status, i.paidMinor])).toEqual([
      ['PAID', 30_000],
      ['PAID', 30_000],
      ['PENDING', 5_000],
    ]);
    expect(mid.stage).toBe('REPAYMENT_PLAN');
    await h.env.sleep(30 * DAY);
    await wf.signal(paymentSignal, { reference: 'i-3', amountMinor: 35_000, paidOn: dateIn(now, 69) });
    const result = await finish(wf);
    expect(result).toMatchObject({ stage: 'SETTLED', balanceMinor: 0, plan: { status: 'COMPLETED' } });
    expect(fake.contacts).toHaveLength(1); // only reminder-1, before the plan
    expect(fake.decisions.map((d) => 'status' in d.record && d.record.status)).toEqual(['ACTIVE', 'COMPLETED']);
    await measure(wf, 'plan-completed');
  });
}, 60_000);

test('plan defaulted → order block → formal notice → legal (approved) → legal closed', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    await wf.executeUpdate(proposePlanUpdate, {
      args: [
        {
          ...manager,
          instalments: [
            { dueDate: dateIn(now, 10), amountMinor: 50_000 },
            { dueDate: dateIn(now, 20), amountMinor: 50_000 },
          ],
        },
      ],
    });
    await wf.signal(paymentSignal, { reference: 'i-1', amountMinor: 50_000, paidOn: dateIn(now, 10) });
    // Second instalment: due +20d, grace 5 days → defaults at the start of day +26.
    await h.env.sleep(25 * DAY);
    const blocked = await waitStage(wf, 'ORDER_BLOCK');
    expect(blocked.plan?.status).toBe('DEFAULTED');
    expect(blocked.plan?.instalments.map((i) => i.status)).toEqual(['PAID', 'MISSED']);
    expect(blocked.balanceMinor).toBe(50_000);
    await eventually(() => expect(fake.blocks).toHaveLength(1));
    const customer = h.env.client.workflow.getHandle(customerWorkflowId(input.customerId));
    expect(await customer.query(customerStateQuery)).toMatchObject({
      blocked: true,
      blockingInvoices: [input.invoiceId],
    });
    await h.env.sleep(7 * DAY);
    await waitStage(wf, 'FORMAL_NOTICE');
    await eventually(() =>
      expect(fake.contacts.find((c) => c.stage === 'FORMAL_NOTICE')).toMatchObject({
        channel: 'PEC',
        template: 'formal-notice',
        attachLetter: true,
      }),
    );
    // LEGAL counts from the PEC delivery receipt: 15 days from receipt plus the 5-day buffer, not 15 from the notice.
    await wf.signal(noticeReceiptSignal, deliveryReceipt(await h.now()));
    await h.env.sleep(15 * DAY);
    expect((await stateOf(wf)).stage).toBe('FORMAL_NOTICE');
    await h.env.sleep(10 * DAY);
    const legal = await waitStage(wf, 'LEGAL');
    expect(legal.legal).toEqual({ approved: false, pendingApproval: true, costsMinor: 0, recoveredMinor: 0 });
    expect(legal.pendingTasks.map((t) => t.kind)).toEqual(['APPROVE_LEGAL']);
    expect(legal.next).toEqual({ kind: 'LEGAL_APPROVAL', at: null });
    const approved = await wf.executeUpdate(approveLegalUpdate, { args: [{ ...manager, note: 'worth it' }] });
    expect(approved.legal).toMatchObject({ approved: true, pendingApproval: false });
    expect(approved.pendingTasks).toEqual([]);
    await wf.executeUpdate(recordLegalEventUpdate, {
      args: [{ ...manager, step: 'DIFFIDA', date: dateIn(now, 50), costMinor: 15_000, lawyer: 'Avv. Rossi' }],
    });
    const partly = await wf.executeUpdate(recordLegalEventUpdate, {
      args: [
        { ...manager, step: 'DECRETO_INGIUNTIVO', date: dateIn(now, 80), costMinor: 40_000, recoveredMinor: 20_000 },
      ],
    });
    expect(partly).toMatchObject({
      stage: 'LEGAL',
      balanceMinor: 30_000,
      legal: { costsMinor: 55_000, recoveredMinor: 20_000 },
    });
    await wf.executeUpdate(recordLegalEventUpdate, {
      args: [{ ...manager, step: 'CLOSED', date: dateIn(now, 120), costMinor: 0 }],
    });
    const result = await finish(wf);
    expect(result.stage).toBe('LEGAL_CLOSED');
    expect(fake.stages()).toEqual([
      'OPEN',
      'REMINDER',
      'REPAYMENT_PLAN',
      'ORDER_BLOCK',
      'FORMAL_NOTICE',
      'LEGAL',
      'LEGAL_CLOSED',
    ]);
    await eventually(() => expect(fake.unblocks).toHaveLength(1));
    expect(
      fake.decisions.filter((d) => d.record.kind === 'LEGAL').map((d) => 'status' in d.record && d.record.status),
    ).toEqual(['PENDING_APPROVAL', 'OPEN', 'OPEN', 'OPEN', 'CLOSED']);
    await measure(wf, 'plan-defaulted-to-legal-closed');
  });
}, 60_000);

const shortLegal: PolicyStep[] = [
  { stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'reminder-1' },
  { stage: 'LEGAL', offset: 'P1D', channels: [], template: 'legal', requiresApproval: true },
];

test('legal declined → written off (and declined with writeOff=false keeps dunning open)', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const a = await h.start(invoiceInput(now, { policy: policy({}, shortLegal) }, -1));
    await h.env.sleep(3 * DAY);
    await waitStage(a, 'LEGAL');
    const st = await a.executeUpdate(declineLegalUpdate, { args: [{ ...manager, note: 'not worth the cost' }] });
    expect(st.stage).toBe('WRITTEN_OFF');
    const result = await finish(a);
    expect(result).toMatchObject({ stage: 'WRITTEN_OFF', balanceMinor: 100_000, pendingTasks: [] });
    expect(fake.closedTasks.map((t) => t.status)).toEqual(['DONE']);
    await measure(a, 'legal-declined-written-off');

    const b = await h.start(invoiceInput(now, { policy: policy({}, shortLegal) }, -1));
    await h.env.sleep(3 * DAY);
    await waitStage(b, 'LEGAL');
    const kept = await b.executeUpdate(declineLegalUpdate, { args: [{ ...manager, writeOff: false }] });
    expect(kept.stage).toBe('REMINDER');
    expect(kept.next).toEqual({ kind: 'AWAIT_PAYMENT', at: null });
    await b.signal(paymentSignal, { reference: 'late', amountMinor: 100_000, paidOn: dateIn(now, 30) });
    expect((await finish(b)).stage).toBe('PAID');
  });
}, 60_000);
