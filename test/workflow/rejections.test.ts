/**
 * Every decision the workflow must refuse, on the real dev server (`temporal server start-dev`): updates there
 * behave exactly as in production, and the test shows what the API receives — a WorkflowUpdateFailedError whose
 * cause is an ApplicationFailure of type DecisionRejected carrying the reason.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  DECISION_REJECTED,
  approveLegalUpdate,
  completeTaskUpdate,
  declineLegalUpdate,
  openDisputeUpdate,
  pauseUpdate,
  paymentSignal,
  proposePlanUpdate,
  recordLegalEventUpdate,
  recordPromiseUpdate,
  resolveDisputeUpdate,
  resumeUpdate,
  writeOffUpdate,
  type Instalment,
} from '../../workflows/contract';
import type { invoiceWorkflow } from '../../workflows/invoice';
import { invoiceInput } from './fakes';
import { closed, collector, dateIn, manager, stateOf, useHarness } from './harness';

const h = useHarness('dev-server');

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(DECISION_REJECTED);
    return (cause as ApplicationFailure).message;
  }
  throw new Error('expected the update to be rejected');
}

let wf: WorkflowHandle<typeof invoiceWorkflow>;
let now: number;

const plan = (...items: Array<[number, number]>): Instalment[] =>
  items.map(([days, amountMinor]) => ({ dueDate: dateIn(now, days), amountMinor }));

test('every rejection listed in the issue, with a reason the API can show', async () => {
  await h.withWorker(async () => {
    now = await h.now();
    wf = await h.start(invoiceInput(now, {}, -1));

    // Promises
    expect(
      await rejection(
        wf.executeUpdate(recordPromiseUpdate, { args: [{ ...collector, promisedDate: dateIn(now, -1) }] }),
      ),
    ).toMatch(/is in the past/);
    expect(
      await rejection(
        wf.executeUpdate(recordPromiseUpdate, { args: [{ ...collector, promisedDate: dateIn(now, 61) }] }),
      ),
    ).toMatch(/beyond the policy's maximum horizon \(P60D/);
    expect(
      await rejection(wf.executeUpdate(recordPromiseUpdate, { args: [{ ...collector, promisedDate: '2026-02-30' }] })),
    ).toMatch(/ISO date/);
    expect(
      await rejection(
        wf.executeUpdate(recordPromiseUpdate, {
          args: [{ ...collector, promisedDate: dateIn(now, 5), amountMinor: 100_001 }],
        }),
      ),
    ).toMatch(/exceeds the balance/);

    // Plans
    expect(
      await rejection(
        wf.executeUpdate(proposePlanUpdate, { args: [{ ...manager, instalments: plan([10, 50_000], [40, 40_000]) }] }),
      ),
    ).toBe('instalments sum to 90000, but the balance is 100000');
    expect(
      await rejection(
        wf.executeUpdate(proposePlanUpdate, { args: [{ ...manager, instalments: plan([40, 50_000], [10, 50_000]) }] }),
      ),
    ).toMatch(/strictly increasing/);
    const tooMany = Array.from({ length: 25 }, (_, i): [number, number] => [i + 1, 4_000]);
    expect(
      await rejection(wf.executeUpdate(proposePlanUpdate, { args: [{ ...manager, instalments: plan(...tooMany) }] })),
    ).toBe("25 instalments exceed the policy's maximum of 24");
    expect(await rejection(wf.executeUpdate(proposePlanUpdate, { args: [{ ...manager, instalments: [] }] }))).toMatch(
      /empty/,
    );

    // Disputes
    expect(
      await rejection(wf.executeUpdate(resolveDisputeUpdate, { args: [{ ...manager, outcome: 'REJECTED' }] })),
    ).toBe('no dispute is open on this invoice');
    expect(
      await rejection(
        wf.executeUpdate(openDisputeUpdate, { args: [{ ...collector, reasonCode: 'NOPE' as 'OTHER', note: 'x' }] }),
      ),
    ).toMatch(/reasonCode must be one of/);
    await wf.executeUpdate(openDisputeUpdate, { args: [{ ...collector, reasonCode: 'OTHER', note: 'checking' }] });
    expect(
      await rejection(
        wf.executeUpdate(openDisputeUpdate, { args: [{ ...collector, reasonCode: 'OTHER', note: 'again' }] }),
      ),
    ).toBe('a dispute is already open');
    expect(
      await rejection(
        wf.executeUpdate(recordPromiseUpdate, { args: [{ ...collector, promisedDate: dateIn(now, 5) }] }),
      ),
    ).toMatch(/dispute is open/);
    expect(
      await rejection(
        wf.executeUpdate(resolveDisputeUpdate, {
          args: [{ ...manager, outcome: 'PARTIAL', newBalanceMinor: 100_000 }],
        }),
      ),
    ).toMatch(/below the current balance/);
    await wf.executeUpdate(resolveDisputeUpdate, { args: [{ ...manager, outcome: 'REJECTED' }] });

    // Legal, tasks
    expect(await rejection(wf.executeUpdate(approveLegalUpdate, { args: [manager] }))).toBe(
      'no legal approval is pending on this invoice',
    );
    expect(await rejection(wf.executeUpdate(declineLegalUpdate, { args: [manager] }))).toBe(
      'no legal approval is pending on this invoice',
    );
    expect(
      await rejection(
        wf.executeUpdate(recordLegalEventUpdate, {
          args: [{ ...manager, step: 'DIFFIDA', date: dateIn(now, 0), costMinor: 1 }],
        }),
      ),
    ).toBe('no legal case is open on this invoice');
    expect(
      await rejection(
        wf.executeUpdate(completeTaskUpdate, { args: [{ ...collector, taskId: 'task-404', outcome: 'REACHED' }] }),
      ),
    ).toBe('task task-404 is not open on this invoice');

    // Pause / resume / write-off
    expect(await rejection(wf.executeUpdate(resumeUpdate, { args: [collector] }))).toBe('dunning is not paused');
    expect(
      await rejection(
        wf.executeUpdate(pauseUpdate, {
          args: [{ ...collector, reason: 'x', until: new Date(now - 1000).toISOString() }],
        }),
      ),
    ).toMatch(/is in the past/);
    await wf.executeUpdate(pauseUpdate, { args: [{ ...collector, reason: 'holiday' }] });
    expect(await rejection(wf.executeUpdate(pauseUpdate, { args: [{ ...collector, reason: 'again' }] }))).toBe(
      'dunning is already paused',
    );
    expect(await rejection(wf.executeUpdate(writeOffUpdate, { args: [{ ...collector, reason: 'tired' }] }))).toBe(
      "writing off needs a manager (role 'collector')",
    );
    expect(await rejection(wf.executeUpdate(writeOffUpdate, { args: [{ ...manager, reason: ' ' }] }))).toBe(
      'reason is required to write off',
    );
    expect(
      await rejection(
        wf.executeUpdate(recordPromiseUpdate, {
          args: [{ actorId: '', role: 'collector', promisedDate: dateIn(now, 3) }],
        }),
      ),
    ).toBe('actorId is required');

    // Nothing rejected changed anything: no promise, plan, legal case, and one dispute opened and rejected.
    const st = await stateOf(wf);
    expect(st).toMatchObject({
      stage: 'OPEN',
      promise: null,
      plan: null,
      dispute: null,
      legal: null,
      balanceMinor: 100_000,
    });
    expect(st.history.filter((e) => e.kind === 'DECISION').map((e) => e.summary)).toEqual([
      'dispute opened (OTHER): dunning stopped',
      'dispute rejected: dunning resumes',
      'paused: holiday',
    ]);
  });
}, 120_000);

test('anything on a closed invoice is refused', async () => {
  await h.withWorker(async (fake) => {
    now = await h.now();
    // Hold the workflow after it closed (the ERP status call is slow) so that its validators answer.
    fake.delays.erpPostInvoiceStatus = 3_000;
    const input = invoiceInput(now, {}, -1);
    const running = await h.start(input);
    await running.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: dateIn(now, 0) });
    const refusals = [
      running.executeUpdate(recordPromiseUpdate, { args: [{ ...collector, promisedDate: dateIn(now, 3) }] }),
      running.executeUpdate(openDisputeUpdate, { args: [{ ...collector, reasonCode: 'OTHER', note: 'x' }] }),
      running.executeUpdate(pauseUpdate, { args: [{ ...collector, reason: 'x' }] }),
      running.executeUpdate(writeOffUpdate, { args: [{ ...manager, reason: 'x' }] }),
    ];
    const messages = await Promise.all(refusals.map(rejection));
    for (const m of messages) expect(m).toBe(`invoice ${input.invoiceNumber} is closed (PAID)`);
    expect(await closed(running)).toBe('COMPLETED');
    // Once completed, the server itself refuses every update (the API answers from the database then).
    await expect(running.executeUpdate(writeOffUpdate, { args: [{ ...manager, reason: 'x' }] })).rejects.toThrow();
  });
}, 60_000);
