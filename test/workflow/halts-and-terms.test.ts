/**
 * Release v3 behaviours on the time-skipping server, each recording a history for test/histories/ (RECORD_HISTORIES=1):
 * - `call-task-ends-on-dispute-or-legal`: an open CALL task leaves the agenda (cancelled, with why) when a dispute
 *   opens — a collector does not phone for a disputed amount — and when the invoice moves on to LEGAL.
 * - `notice-calendar-from-input`: the formal notice's 15-day term from receipt also skips the local holidays the
 *   intake handed in (SEGUGIO_EXTRA_HOLIDAYS; art. 2963 c.c. moves a term ending on a holiday to the next working day).
 * - `noticeReceiptMaxWait` (policy setting, default P30D): how long LEGAL waits for a proof of receipt.
 */
import {
  invoiceStateQuery,
  noticeReceiptSignal,
  openDisputeUpdate,
  paymentSignal,
  resolveDisputeUpdate,
  type PolicyStep,
} from '../../workflows/contract';
import { legalStepAfterReceiptMs, termEndDate } from '../../domain/notices';
import { localDate } from '../../domain/calendar';
import { DAY, deliveryReceipt, invoiceInput, policy, settings } from './fakes';
import { collector, dateIn, eventually, expectNear, finish, manager, measure, stateOf, useHarness } from './harness';

const h = useHarness('time-skipping');

const waitStage = (wf: Parameters<typeof stateOf>[0], stage: string) =>
  eventually(async () => {
    const st = await stateOf(wf);
    expect(st.stage).toBe(stage);
    return st;
  });

test('a dispute cancels the open CALL task; after the rejection dunning goes on without an unanswered-call escalation', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const steps: PolicyStep[] = [
      { stage: 'CALL', offset: 'P1D', channels: ['TASK'], template: 'call' },
      { stage: 'ORDER_BLOCK', offset: 'P10D', channels: [], template: 'order-block' },
    ];
    const wf = await h.start(invoiceInput(now, { policy: policy({}, steps) }, -1));
    await h.env.sleep(2 * DAY);
    const calling = await waitStage(wf, 'CALL');
    expect(calling.pendingTasks.map((t) => t.kind)).toEqual(['CALL']);
    const disputed = await wf.executeUpdate(openDisputeUpdate, {
      args: [{ ...collector, reasonCode: 'DEFECTIVE_GOODS', note: 'pallet damaged' }],
    });
    expect(disputed.pendingTasks.map((t) => t.kind)).toEqual(['REVIEW_DISPUTE']);
    expect(disputed.history.at(-1)?.summary).toBe('open call tasks cancelled: dispute opened');
    await eventually(() =>
      expect(fake.closedTasks).toEqual([
        expect.objectContaining({ taskId: calling.pendingTasks[0].taskId, status: 'CANCELLED' }),
      ]),
    );
    // The call's 3-day outcome deadline passes during the dispute and after: nothing escalates on it.
    await h.env.sleep(4 * DAY);
    const resumed = await wf.executeUpdate(resolveDisputeUpdate, { args: [{ ...manager, outcome: 'REJECTED' }] });
    expect(resumed.next?.kind).toBe('ORDER_BLOCK');
    // ORDER_BLOCK: 10 days after the call plus the 4 days disputed.
    await h.env.sleep(9 * DAY);
    const blocked = await waitStage(wf, 'ORDER_BLOCK');
    expect(blocked.history.some((e) => e.summary === 'no call outcome by the deadline')).toBe(false);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: dateIn(now, 15) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID', pendingTasks: [] });
    await measure(wf, 'call-task-cancelled-on-dispute');
  });
}, 60_000);

test('the open CALL task is cancelled when the invoice moves on to LEGAL', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    // LEGAL a day after the call, before the call's 3-day outcome deadline.
    const steps: PolicyStep[] = [
      { stage: 'CALL', offset: 'P1D', channels: ['TASK'], template: 'call' },
      { stage: 'LEGAL', offset: 'P1D', channels: [], template: 'legal', requiresApproval: true },
    ];
    const wf = await h.start(invoiceInput(now, { policy: policy({}, steps) }, -1));
    await h.env.sleep(DAY);
    const calling = await waitStage(wf, 'CALL');
    const callTask = calling.pendingTasks[0];
    await h.env.sleep(DAY);
    const legal = await waitStage(wf, 'LEGAL');
    expect(legal.pendingTasks.map((t) => t.kind)).toEqual(['APPROVE_LEGAL']);
    expect(legal.history.some((e) => e.summary === 'open call tasks cancelled: the invoice moved on to LEGAL')).toBe(
      true,
    );
    expect(fake.closedTasks).toEqual([expect.objectContaining({ taskId: callTask.taskId, status: 'CANCELLED' })]);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: dateIn(now, 5) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    await measure(wf, 'call-task-cancelled-at-legal');
  });
}, 60_000);

const noticeSteps: PolicyStep[] = [
  { stage: 'FORMAL_NOTICE', offset: 'P1D', channels: ['PEC'], template: 'formal-notice' },
  { stage: 'LEGAL', offset: 'P15D', channels: [], template: 'legal', requiresApproval: true },
];

test("the notice's term skips a local holiday handed in by the intake (SEGUGIO_EXTRA_HOLIDAYS)", async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    // The notice fires within a day; the PEC delivery receipt comes half a day after that.
    const deliveredAt = now + 1.5 * DAY;
    // The day the term would end: the intake's calendar makes it a local holiday (recurring MM-DD, like a patron
    // saint), so the term runs to the next working day.
    const plainEnd = termEndDate(localDate(new Date(deliveredAt), 'Europe/Rome'), 15);
    const input = invoiceInput(
      now,
      {
        policy: policy({ settings: settings({ noticeTermBuffer: 'P1D' }) }, noticeSteps),
        calendar: { extraHolidays: [plainEnd.slice(5)] },
      },
      -1,
    );
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    await waitStage(wf, 'FORMAL_NOTICE');
    await wf.signal(noticeReceiptSignal, deliveryReceipt(deliveredAt));
    const without = legalStepAfterReceiptMs(deliveredAt, 15, 'Europe/Rome', DAY);
    const expected = legalStepAfterReceiptMs(deliveredAt, 15, 'Europe/Rome', DAY, [plainEnd.slice(5)]);
    expect(expected).toBeGreaterThan(without);
    const waiting = await eventually(async () => {
      const s = await wf.query(invoiceStateQuery);
      expect(s.next?.at).toBe(new Date(expected).toISOString());
      return s;
    });
    expect(waiting.next?.kind).toBe('LEGAL');
    await h.env.sleep(expected - (await h.now()) + 60_000);
    const legal = await waitStage(wf, 'LEGAL');
    expectNear(legal.history.find((e) => e.summary.startsWith('LEGAL'))!.at, expected, 120_000);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 30) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    await measure(wf, 'notice-term-extra-holiday');
  });
}, 120_000);

test('noticeReceiptMaxWait P10D: without a proof of receipt LEGAL goes ahead after 10 days, saying so', async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    const steps: PolicyStep[] = [noticeSteps[0], { ...noticeSteps[1], offset: 'P5D' }];
    const input = invoiceInput(
      now,
      { policy: policy({ settings: settings({ noticeReceiptMaxWait: 'P10D' }) }, steps) },
      -1,
    );
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    const notice = await waitStage(wf, 'FORMAL_NOTICE');
    const firedAt = Date.parse(notice.history.find((e) => e.summary.startsWith('FORMAL_NOTICE'))!.at);
    expectNear(notice.next!.at!, firedAt + 10 * DAY);
    await h.env.sleep(10 * DAY);
    const legal = await waitStage(wf, 'LEGAL');
    expect(legal.history.find((e) => e.summary.startsWith('LEGAL'))?.summary).toBe(
      'LEGAL (legal) — no proof of receipt of the formal notice within P10D',
    );
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 20) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
  });
}, 60_000);
