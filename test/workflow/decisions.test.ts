/** Human decisions that change the course of an invoice: promises, disputes, pauses and call outcomes. */
import {
  completeTaskUpdate,
  openDisputeUpdate,
  pauseUpdate,
  paymentSignal,
  recordPromiseUpdate,
  resolveDisputeUpdate,
  resumeUpdate,
  type InvoiceState,
} from '../../workflows/contract';
import { DAY, invoiceInput, policy } from './fakes';
import { collector, dateIn, eventually, expectNear, manager, measure, stateOf, useHarness, finish } from './harness';

const h = useHarness();

const at = (st: InvoiceState, summaryStart: string): number =>
  Date.parse(st.history.find((e) => e.summary.startsWith(summaryStart))!.at);

test('promise kept: a partial promise is kept, dunning continues from the promise; full payment closes', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    const promised = await wf.executeUpdate(recordPromiseUpdate, {
      args: [{ ...collector, promisedDate: dateIn(now, 6), amountMinor: 40_000, note: 'after the customer is paid' }],
    });
    expect(promised.stage).toBe('PROMISE_WAIT');
    expect(promised.promise).toEqual({ promisedDate: dateIn(now, 6), amountMinor: 40_000, status: 'OPEN' });
    expect(promised.next?.kind).toBe('PROMISE_CHECK');
    await h.env.sleep(2 * DAY);
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 40_000, paidOn: dateIn(now, 4) });
    const kept = await eventually(async () => {
      const st = await stateOf(wf);
      expect(st.promise?.status).toBe('KEPT');
      return st;
    });
    // Back to the dunning stage it came from; the next reminder counts from the moment the promise was kept.
    expect(kept.stage).toBe('REMINDER');
    expect(kept.balanceMinor).toBe(60_000);
    const keptAt = at(kept, 'promise kept');
    expectNear(kept.next!.at!, keptAt + 7 * DAY);
    expect(fake.decisions.map((d) => [d.record.kind, 'status' in d.record ? d.record.status : ''])).toEqual([
      ['PROMISE', 'OPEN'],
      ['PROMISE', 'KEPT'],
    ]);
    await wf.signal(paymentSignal, { reference: 'p-2', amountMinor: 60_000, paidOn: dateIn(now, 5) });
    expect((await finish(wf)).stage).toBe('PAID');
    expect(fake.stages()).toEqual(['OPEN', 'REMINDER', 'PROMISE_WAIT', 'REMINDER', 'PAID']);
    await measure(wf, 'promise-kept');
  });
}, 60_000);

test('promise broken: recorded BROKEN after date + grace, and the next step fires at once', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    await wf.executeUpdate(recordPromiseUpdate, { args: [{ ...collector, promisedDate: dateIn(now, 3) }] });
    // Promised day + 2 days of grace: nothing before, the escalation right after.
    await h.env.sleep(3 * DAY);
    expect((await stateOf(wf)).stage).toBe('PROMISE_WAIT');
    await h.env.sleep(2 * DAY);
    const st = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.stage).toBe('REMINDER');
      return s;
    });
    expect(st.promise?.status).toBe('BROKEN');
    expectNear(
      st.history.find((e) => e.summary.includes('broken'))!.at,
      Date.parse(`${dateIn(now, 3)}T00:00:00Z`) + 3 * DAY,
    );
    await eventually(() => expect(fake.contacts.map((c) => c.template)).toEqual(['reminder-1', 'reminder-2']));
    expect(fake.decisions.at(-1)!.record).toMatchObject({ kind: 'PROMISE', status: 'BROKEN' });
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 100_000, paidOn: dateIn(now, 8) });
    expect((await finish(wf)).stage).toBe('PAID');
    await measure(wf, 'promise-broken-escalated');
  });
}, 60_000);

test('dispute opened then rejected: the clock stops and the resumed step continues its timer', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, {}, -1));
    await h.env.sleep(3 * DAY); // reminder-1 fired; reminder-2 due 7 days after it
    const opened = await wf.executeUpdate(openDisputeUpdate, {
      args: [{ ...collector, reasonCode: 'DEFECTIVE_GOODS', note: 'two pallets damaged' }],
    });
    expect(opened.dispute).toMatchObject({ reasonCode: 'DEFECTIVE_GOODS', note: 'two pallets damaged' });
    expect(opened.pendingTasks.map((t) => t.kind)).toEqual(['REVIEW_DISPUTE']);
    expect(opened.next).toEqual({ kind: 'DISPUTE_REVIEW', at: null });
    await h.env.sleep(20 * DAY);
    expect(fake.contacts).toHaveLength(1);
    const resumed = await wf.executeUpdate(resolveDisputeUpdate, {
      args: [{ ...manager, outcome: 'REJECTED', note: 'photos show intact goods' }],
    });
    expect(resumed.dispute).toBeNull();
    expect(resumed.pendingTasks).toEqual([]);
    const r1 = at(resumed, 'REMINDER (reminder-1)');
    const stopped = at(resumed, 'dispute opened');
    const restarted = at(resumed, 'dispute rejected');
    // Continue, not restart: the 7 days run from reminder-1 plus the time spent disputed.
    expectNear(resumed.next!.at!, r1 + 7 * DAY + (restarted - stopped));
    await h.env.sleep(5 * DAY);
    await eventually(() => expect(fake.contacts.map((c) => c.template)).toEqual(['reminder-1', 'reminder-2']));
    expect(fake.decisions.map((d) => 'status' in d.record && d.record.status)).toEqual(['OPEN', 'REJECTED']);
    expect(fake.closedTasks).toHaveLength(1);
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 100_000, paidOn: dateIn(now, 30) });
    expect((await finish(wf)).stage).toBe('PAID');
    await measure(wf, 'dispute-rejected-resumed');
  });
}, 60_000);

test('dispute accepted: closes CANCELLED (nothing paid) or SETTLED (part paid); partial sets a new balance', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const a = await h.start(invoiceInput(now, {}, -1));
    await a.executeUpdate(openDisputeUpdate, {
      args: [{ ...collector, reasonCode: 'DUPLICATE_INVOICE', note: 'dup' }],
    });
    const closed = await a.executeUpdate(resolveDisputeUpdate, { args: [{ ...manager, outcome: 'ACCEPTED' }] });
    expect(closed).toMatchObject({ stage: 'CANCELLED', balanceMinor: 0, creditMinor: 100_000 });
    expect((await finish(a)).stage).toBe('CANCELLED');
    await measure(a, 'dispute-accepted-cancelled');

    // The time-skipping server may have jumped far ahead while `a` closed (ten years, seen here): date `b` from the
    // server's clock now, or it starts years overdue and its first reminder fires before the update answers.
    const later = await h.now();
    const b = await h.start(invoiceInput(later, {}, -1));
    await b.signal(paymentSignal, { reference: 'p-1', amountMinor: 30_000, paidOn: dateIn(later, 0) });
    await b.executeUpdate(openDisputeUpdate, { args: [{ ...collector, reasonCode: 'PRICE_DISAGREEMENT', note: 'x' }] });
    const partial = await b.executeUpdate(resolveDisputeUpdate, {
      args: [{ ...manager, outcome: 'PARTIAL', newBalanceMinor: 50_000 }],
    });
    expect(partial).toMatchObject({ stage: 'OPEN', balanceMinor: 50_000, creditMinor: 20_000, dispute: null });
    await b.executeUpdate(openDisputeUpdate, { args: [{ ...collector, reasonCode: 'OTHER', note: 'again' }] });
    expect((await b.executeUpdate(resolveDisputeUpdate, { args: [{ ...manager, outcome: 'ACCEPTED' }] })).stage).toBe(
      'SETTLED',
    );
    expect((await finish(b)).creditMinor).toBe(70_000);
    expect(
      fake.decisions.filter((d) => d.record.kind === 'DISPUTE').map((d) => 'status' in d.record && d.record.status),
    ).toEqual(['OPEN', 'ACCEPTED', 'OPEN', 'PARTIAL', 'OPEN', 'ACCEPTED']);
  });
}, 60_000);

test('pause and resume: the clock stops while paused and continues after; a dated pause ends by itself', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, {}, -1));
    await h.env.sleep(3 * DAY);
    const paused = await wf.executeUpdate(pauseUpdate, { args: [{ ...collector, reason: 'salesperson asked' }] });
    expect(paused.paused).toMatchObject({ reason: 'salesperson asked', until: null });
    expect(paused.next).toEqual({ kind: 'RESUME', at: null });
    // A message during the pause (a partial payment) does not end it.
    await wf.signal(paymentSignal, { reference: 'part', amountMinor: 10_000, paidOn: dateIn(now, 3) });
    expect((await stateOf(wf)).paused).not.toBeNull();
    await h.env.sleep(10 * DAY);
    expect(fake.contacts).toHaveLength(1);
    const resumed = await wf.executeUpdate(resumeUpdate, { args: [collector] });
    const r1 = at(resumed, 'REMINDER (reminder-1)');
    const pausedAt = at(resumed, 'paused');
    const resumedAt = at(resumed, 'resumed');
    expectNear(resumed.next!.at!, r1 + 7 * DAY + (resumedAt - pausedAt));

    // A pause with an end date resumes on its own; the clock again loses only the paused time.
    const until = new Date(resumedAt + 2 * DAY).toISOString();
    const p2 = await wf.executeUpdate(pauseUpdate, { args: [{ ...collector, reason: 'holiday', until }] });
    expect(p2.next).toEqual({ kind: 'RESUME', at: until });
    await h.env.sleep(2 * DAY + 60_000);
    const after = await stateOf(wf);
    expect(after.paused).toBeNull();
    expect(after.history.some((e) => e.summary === 'pause ended')).toBe(true);
    expectNear(after.next!.at!, Date.parse(resumed.next!.at!) + 2 * DAY);
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 90_000, paidOn: dateIn(now, 20) });
    expect((await finish(wf)).stage).toBe('PAID');
    await measure(wf, 'pause-resume');
  });
}, 60_000);

test('call stage: a collector task; no outcome by the deadline escalates; a CALLBACK moves the deadline', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const steps = policy().steps.filter((s) => s.stage !== 'REMINDER' || s.template === 'reminder-1');
    const wf = await h.start(invoiceInput(now, { policy: policy({}, steps) }, -1));
    await h.env.sleep(9 * DAY); // reminder-1 at +1d, CALL at +8d
    const st = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.stage).toBe('CALL');
      return s;
    });
    const call = st.pendingTasks.find((t) => t.kind === 'CALL')!;
    expect(call).toBeDefined();
    expect(fake.tasks[0]).toMatchObject({ kind: 'CALL', assigneeId: 'u-collector', invoiceId: st.invoiceId });
    const callbackAt = new Date((await h.now()) + 2 * DAY).toISOString();
    const cb = await wf.executeUpdate(completeTaskUpdate, {
      args: [{ ...collector, taskId: call.taskId, outcome: 'CALLBACK', callbackAt, reasonCode: 'LIQUIDITY' }],
    });
    expect(cb.pendingTasks.map((t) => t.kind)).toEqual(['CALLBACK']);
    // The outcome deadline (3 days) now counts from the callback time.
    expect(cb.next).toEqual({ kind: 'CALL_OUTCOME', at: new Date(Date.parse(callbackAt) + 3 * DAY).toISOString() });
    await h.env.sleep(6 * DAY);
    const escalated = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.stage).toBe('ORDER_BLOCK');
      return s;
    });
    expect(escalated.history.some((e) => e.summary === 'no call outcome by the deadline')).toBe(true);
    // Overdue tasks stay on the agenda until done.
    expect(escalated.pendingTasks.map((t) => t.kind)).toEqual(['CALLBACK']);
    await eventually(() => expect(fake.blocks).toHaveLength(1));
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 100_000, paidOn: dateIn(now, 20) });
    expect((await finish(wf)).stage).toBe('PAID');
    await eventually(() => expect(fake.unblocks).toHaveLength(1));
    expect(fake.closedTasks.map((t) => t.status)).toEqual(['DONE', 'CANCELLED']);
    await measure(wf, 'call-callback-escalated');
  });
}, 60_000);

test('call outcome PROMISE records a promise from the agenda', async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    const steps = [{ stage: 'CALL' as const, offset: 'P1D', channels: ['TASK' as const], template: 'call' }];
    const wf = await h.start(invoiceInput(now, { policy: policy({}, steps) }, -1));
    await h.env.sleep(2 * DAY);
    const call = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.pendingTasks).toHaveLength(1);
      return s.pendingTasks[0];
    });
    const st = await wf.executeUpdate(completeTaskUpdate, {
      args: [{ ...collector, taskId: call.taskId, outcome: 'PROMISE', promise: { promisedDate: dateIn(now, 10) } }],
    });
    expect(st).toMatchObject({
      stage: 'PROMISE_WAIT',
      pendingTasks: [],
      promise: { status: 'OPEN', amountMinor: 100_000 },
    });
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 100_000, paidOn: dateIn(now, 9) });
    expect((await finish(wf)).promise?.status).toBe('KEPT');
  });
}, 60_000);
