/**
 * A reminder sent now (update `sendReminder`, patch `reminder-now`) is never sent twice when the activity that hands
 * it to the customer workflow is retried. A file of its own: one time-skipping server per scenario.
 */
import type { Client } from '@temporalio/client';
import { paymentSignal, sendReminderUpdate } from '../../workflows/contract';
import { DAY, FakeActivities, invoiceInput } from './fakes';
import { dateIn, eventually, finish, manager, useHarness } from './harness';

const h = useHarness();

const manual = (key: string) => key.includes(':REMINDER-NOW#');

/** The customer signal fails once after it was delivered (a lost answer): Temporal retries the activity. */
class LostAnswer extends FakeActivities {
  failed = 0;
  override build(client: Client) {
    const acts = super.build(client);
    const signal = acts.signalCustomerWorkflow;
    return {
      ...acts,
      signalCustomerWorkflow: async (input: Parameters<typeof signal>[0]) => {
        await signal(input);
        if (input.message.type === 'contact' && manual(input.message.requestKey) && this.failed++ === 0) {
          throw new Error('connection reset after the signal was delivered');
        }
      },
    };
  }
}

test('not twice on retry: a retried signal to the customer workflow is the same contact', async () => {
  const fake = new LostAnswer();
  await h.withWorker(async () => {
    const now = await h.now();
    const wf = await h.start(invoiceInput(now, {}, -1));
    await h.env.sleep(3 * DAY);
    await eventually(() => expect(fake.contacts).toHaveLength(1));
    await h.env.sleep(DAY); // another day: the one-a-day rule lets it through
    await wf.executeUpdate(sendReminderUpdate, { args: [{ ...manager }] });
    await eventually(() => {
      const asks = fake.customerMessages.filter((m) => m.message.type === 'contact' && manual(m.message.requestKey));
      expect(asks).toHaveLength(2); // delivered twice…
    });
    await h.env.sleep(DAY);
    // …sent once: the customer workflow drops a request key it has seen.
    expect(fake.contacts.filter((c) => manual(c.idempotencyKey))).toHaveLength(1);
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 100_000, paidOn: dateIn(now, 5) });
    expect((await finish(wf)).stage).toBe('PAID');
  }, fake);
}, 90_000);
