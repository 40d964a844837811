/** Policy semantics: offsets, pre-due notices, minimum balances and policy changes on running workflows. */
import { paymentSignal, policyChangedSignal, type PolicyStep } from '../../workflows/contract';
import { DAY, invoiceInput, policy } from './fakes';
import { eventually, expectNear, measure, stateOf, useHarness, finish } from './harness';

const h = useHarness();

test('policy changed mid-flight moves the pending timer; an older version is ignored', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    const before = await eventually(async () => {
      const st = await stateOf(wf);
      expect(st.stage).toBe('REMINDER');
      return st;
    });
    const r1 = Date.parse(before.history.find((e) => e.summary.startsWith('REMINDER'))!.at);
    expectNear(before.next!.at!, r1 + 7 * DAY);
    const v2 = policy({ version: 2 });
    v2.steps[1] = { ...v2.steps[1], offset: 'P3D' };
    await wf.signal(policyChangedSignal, { policy: v2 });
    const after = await stateOf(wf);
    expect(after.policy).toEqual({ segment: 'SME', version: 2 });
    expectNear(after.next!.at!, r1 + 3 * DAY);
    await wf.signal(policyChangedSignal, { policy: policy({ version: 1 }) });
    expect((await stateOf(wf)).policy.version).toBe(2);
    await h.env.sleep(2 * DAY);
    await eventually(() => expect(fake.contacts.map((c) => c.template)).toEqual(['reminder-1', 'reminder-2']));
    expectNear(fake.contacts[1].atMs, r1 + 3 * DAY, 60_000);
    expect(before.history.length).toBeLessThan((await stateOf(wf)).history.length);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: input.dueDate });
    expect((await finish(wf)).history.some((e) => e.kind === 'POLICY')).toBe(true);
    await measure(wf, 'policy-changed-mid-flight');
  });
}, 60_000);

test('a policy with fewer reminders continues at the next later stage; loadPolicy at a boundary is adopted', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    await eventually(async () => expect((await stateOf(wf)).stage).toBe('REMINDER'));
    // v2 has one reminder only: after reminder #1 the next step is CALL, two days later.
    const v2 = policy({ version: 2 }, [
      { stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'reminder-1' },
      { stage: 'CALL', offset: 'P2D', channels: ['TASK'], template: 'call' },
    ]);
    await wf.signal(policyChangedSignal, { policy: v2 });
    expect((await stateOf(wf)).next?.kind).toBe('CALL');
    // v3 arrives only through the database: the workflow reads it at the next stage boundary.
    fake.policies.SME = policy({ version: 3 }, [
      ...v2.steps,
      { stage: 'FORMAL_NOTICE', offset: 'P5D', channels: ['LETTER'], template: 'formal-notice' },
    ]);
    await h.env.sleep(2 * DAY);
    const st = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.stage).toBe('CALL');
      expect(s.policy.version).toBe(3);
      return s;
    });
    // The collector has 3 days to log the call, before the 5-day formal-notice step of v3.
    expect(st.next?.kind).toBe('CALL_OUTCOME');
    expect(st.history.some((e) => e.kind === 'POLICY' && e.summary.includes('v2 → v3 (stage boundary)'))).toBe(true);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: input.dueDate });
    expect((await finish(wf)).stage).toBe('PAID');
  });
}, 60_000);

test('a negative first offset sends a PRE_DUE courtesy notice before the due date; minBalance skips a step', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const steps: PolicyStep[] = [
      { stage: 'PRE_DUE', offset: '-P3D', channels: ['EMAIL'], template: 'courtesy' },
      // Counts from overdueAt, not from the courtesy notice: no dunning step fires before the invoice is overdue.
      { stage: 'REMINDER', offset: 'P1D', channels: ['SMS'], template: 'sms-reminder', minBalanceMinor: 200_000 },
      { stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'reminder-2' },
    ];
    const input = invoiceInput(now, { policy: policy({}, steps) }, 10);
    const wf = await h.start(input);
    expectNear((await stateOf(wf)).next!.at!, Date.parse(input.overdueAt) - 3 * DAY);
    await h.env.sleep(9 * DAY);
    await eventually(() => expect(fake.contacts.map((c) => [c.stage, c.template])).toEqual([['PRE_DUE', 'courtesy']]));
    expect((await stateOf(wf)).stage).toBe('PRE_DUE');
    expect((await stateOf(wf)).daysOverdue).toBe(0);
    // overdue +1 day the SMS step is skipped (balance below 2,000.00), +1 more day the e-mail goes.
    await h.env.sleep(5 * DAY);
    await eventually(() => expect(fake.contacts.map((c) => c.template)).toEqual(['courtesy', 'reminder-2']));
    const st = await stateOf(wf);
    expect(st.history.some((e) => e.summary.includes('skipped: balance below 200000'))).toBe(true);
    expect(st.daysOverdue).toBeGreaterThan(0);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: input.dueDate });
    expect((await finish(wf)).stage).toBe('PAID');
    await measure(wf, 'pre-due-and-min-balance');
  });
}, 60_000);

test('an invoice that starts already overdue skips the PRE_DUE courtesy notice and goes straight to dunning', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const steps: PolicyStep[] = [
      { stage: 'PRE_DUE', offset: '-P5D', channels: ['EMAIL'], template: 'courtesy' },
      { stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'reminder-1' },
      { stage: 'REMINDER', offset: 'P10D', channels: ['EMAIL'], template: 'reminder-2' },
    ];
    // Imported 16 days after its due date: the first reminder's time (overdue + 3 days) has long passed.
    const input = invoiceInput(now, { policy: policy({}, steps) }, -16);
    const wf = await h.start(input);
    await h.env.sleep(DAY);
    await eventually(() => expect(fake.contacts.map((c) => c.template)).toEqual(['reminder-1']));
    const st = await stateOf(wf);
    expect(st.stage).toBe('REMINDER');
    expect(
      st.history.some((e) => e.summary.includes('PRE_DUE (courtesy) skipped: the invoice is already overdue')),
    ).toBe(true);
    expect(fake.stages()).not.toContain('PRE_DUE');
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: input.dueDate });
    expect((await finish(wf)).stage).toBe('PAID');
  });
}, 60_000);
