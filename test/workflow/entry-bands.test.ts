/**
 * Patch `overdue-entry-bands` on the time-skipping server: an invoice already overdue when its workflow starts (an
 * imported backlog) enters the cadence where its policy's entry band says — the earlier steps are never sent — or,
 * in a TRIAGE band, waits for a person's choice. A consumer's invoice follows the bands only where they say so.
 * A TRIAGE task is due at the end of the day it opens (patch `triage-due-end-of-day`).
 * Each test records a history for test/histories/ (RECORD_HISTORIES=1).
 */
import { chooseEntryUpdate, paymentSignal, type EntryBand, type PolicyStep } from '../../workflows/contract';
import { endOfLocalDay } from '../../domain/calendar';
import { DAY, invoiceInput, policy, settings } from './fakes';
import { collector, dateIn, eventually, finish, measure, stateOf, useHarness } from './harness';

const h = useHarness('time-skipping');

const STEPS: PolicyStep[] = [
  { stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'reminder-1' },
  { stage: 'REMINDER', offset: 'P10D', channels: ['EMAIL'], template: 'reminder-2' },
  { stage: 'CALL', offset: 'P7D', channels: ['TASK'], template: 'call' },
  { stage: 'ORDER_BLOCK', offset: 'P10D', channels: [], template: 'order-block' },
  { stage: 'FORMAL_NOTICE', offset: 'P7D', channels: ['EMAIL'], template: 'formal-notice' },
  { stage: 'LEGAL', offset: 'P15D', channels: [], template: 'legal', requiresApproval: true },
];
const BANDS: EntryBand[] = [
  { minDaysOverdue: 60, enterAt: 'CALL' },
  { minDaysOverdue: 120, enterAt: 'FORMAL_NOTICE' },
  { minDaysOverdue: 365, enterAt: 'TRIAGE' },
];
const banded = (bands: EntryBand[] = BANDS) => policy({ settings: settings({ entryBands: bands }) }, STEPS);

const waitStage = (wf: Parameters<typeof stateOf>[0], stage: string) =>
  eventually(async () => {
    const st = await stateOf(wf);
    expect(st.stage).toBe(stage);
    return st;
  });

test('134 days overdue at intake: the formal notice goes out at once, no reminder ever', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, { policy: banded() }, -134));
    const notice = await waitStage(wf, 'FORMAL_NOTICE');
    expect(notice.history.map((e) => e.summary)).toEqual(
      expect.arrayContaining([
        'entered at FORMAL_NOTICE: 134 days overdue at intake (policy band ≥ 120); not sent: reminder-1, reminder-2, ' +
          'call, order-block',
        'FORMAL_NOTICE (formal-notice) — entered at FORMAL_NOTICE: 134 days overdue at intake (policy band ≥ 120)',
      ]),
    );
    await eventually(() => expect(fake.contacts.map((c) => c.template)).toEqual(['formal-notice']));
    // The next step counts from the entry: LEGAL 15 days later.
    expect(Date.parse(notice.next?.at ?? '') - now).toBeGreaterThanOrEqual(15 * DAY - 60_000);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: dateIn(now, 1) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    expect(fake.contacts.map((c) => c.template)).toEqual(['formal-notice']);
    expect(fake.stages()).toEqual(['OPEN', 'FORMAL_NOTICE', 'PAID']);
    await measure(wf, 'entry-band-formal-notice');
  });
}, 60_000);

test('75 days overdue: a CALL task at once; the unanswered call escalates to the order block as usual', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, { policy: banded() }, -75));
    const calling = await waitStage(wf, 'CALL');
    expect(calling.pendingTasks.map((t) => t.kind)).toEqual(['CALL']);
    expect(fake.contacts).toEqual([]);
    await h.env.sleep(4 * DAY);
    await waitStage(wf, 'ORDER_BLOCK');
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: dateIn(now, 4) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    expect(fake.contacts.filter((c) => c.stage === 'REMINDER')).toEqual([]);
    await measure(wf, 'entry-band-call');
  });
}, 60_000);

test('400 days overdue: a TRIAGE task, nothing sent until a person chooses CALL', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, { policy: banded() }, -400));
    const waiting = await eventually(async () => {
      const st = await stateOf(wf);
      expect(st.pendingTasks.map((t) => t.kind)).toEqual(['TRIAGE']);
      return st;
    });
    expect(waiting).toMatchObject({ stage: 'OPEN', next: { kind: 'TRIAGE', at: null } });
    expect(waiting.triage).toEqual({ daysOverdue: 400, minDaysOverdue: 365 });
    // Today's work on the agenda (patch triage-due-end-of-day): due at 23:59 of the day it opened in the policy's
    // time zone, not late from its first second. (Its day is the one the workflow saw, a second after `now`.)
    expect([now, now + 60_000].map((t) => endOfLocalDay(new Date(t), 'Europe/Rome').toISOString())).toContain(
      fake.tasks[0].dueAt,
    );
    expect(Date.parse(fake.tasks[0].dueAt)).toBeGreaterThan(now);
    await h.env.sleep(10 * DAY);
    expect(fake.contacts).toEqual([]);
    expect((await stateOf(wf)).stage).toBe('OPEN');
    const chosen = await wf.executeUpdate(chooseEntryUpdate, {
      args: [{ ...collector, enterAt: 'CALL', note: 'big customer, phone first' }],
    });
    expect(chosen.triage).toBeNull();
    const calling = await waitStage(wf, 'CALL');
    expect(calling.pendingTasks.map((t) => t.kind)).toEqual(['CALL']);
    await eventually(() =>
      expect(fake.closedTasks).toEqual([expect.objectContaining({ taskId: fake.tasks[0].taskId, status: 'DONE' })]),
    );
    await expect(
      wf.executeUpdate(chooseEntryUpdate, { args: [{ ...collector, enterAt: 'FORMAL_NOTICE' }] }),
    ).rejects.toThrow();
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: dateIn(now, 11) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    expect(fake.contacts).toEqual([]);
    await measure(wf, 'entry-band-triage-to-call');
  });
}, 60_000);

test("a consumer's invoice 134 days overdue starts at the first reminder (the bands do not say consumers)", async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, { policy: banded(), consumer: true }, -134));
    const reminded = await waitStage(wf, 'REMINDER');
    expect(reminded.history.map((e) => e.summary)).toContain(
      'consumer invoice 134 days overdue at intake: the policy band ≥ 120 does not apply to consumers; collection ' +
        'starts at the first step',
    );
    await eventually(() => expect(fake.contacts.map((c) => c.template)).toEqual(['reminder-1']));
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: dateIn(now, 1) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    await measure(wf, 'entry-band-consumer-first-step');
  });
}, 60_000);
