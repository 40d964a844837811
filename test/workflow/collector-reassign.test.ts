/**
 * A reassignment told to the running workflow (signal `collectorChanged`, patch `collector-follows-reassign`): open
 * and new tasks go to the new collector; an older or repeated change is ignored. Time-skipping server.
 */
import { collectorChangedSignal, paymentSignal } from '../../workflows/contract';
import { DAY, invoiceInput } from './fakes';
import { dateIn, eventually, finish, manager, measure, stateOf, useHarness } from './harness';

const h = useHarness();

test('a reassignment reaches the running workflow: open and new tasks go to the new collector', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, { collectorId: 'u-old' }, -1));
    await wf.signal(collectorChangedSignal, { collectorId: 'u-new', version: 1, actorId: manager.actorId });
    // A late, older change (a retry racing a newer reassignment) is ignored.
    await wf.signal(collectorChangedSignal, { collectorId: 'u-old', version: 1 });
    await h.env.sleep(16 * DAY); // both reminders, then the CALL step opens a task
    const st = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.pendingTasks.map((t) => t.kind)).toEqual(['CALL']);
      return s;
    });
    expect(st.pendingTasks[0].assigneeId).toBe('u-new');
    expect(fake.tasks.find((t) => t.kind === 'CALL')?.assigneeId).toBe('u-new');
    expect(st.history.some((e) => e.summary === 'collector changed: u-old → u-new')).toBe(true);
    // The open task follows the next change too.
    await wf.signal(collectorChangedSignal, { collectorId: 'u-third', version: 2 });
    await eventually(async () => expect((await stateOf(wf)).pendingTasks[0].assigneeId).toBe('u-third'));
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 100_000, paidOn: dateIn(now, 17) });
    expect((await finish(wf)).stage).toBe('PAID');
    await measure(wf, 'collector-reassigned-call-task');
  });
}, 90_000);
