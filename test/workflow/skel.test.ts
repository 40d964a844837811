import { paymentSignal } from '../../workflows/contract';
import { DAY, invoiceInput } from './fakes';
import { stateOf, useHarness } from './harness';

const h = useHarness();

test('skeleton', async () => {
  await h.withWorker(async (fake) => {
    const input = invoiceInput(await h.now(), {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(3 * DAY);
    expect((await stateOf(wf)).stage).toBe('REMINDER');
    await wf.signal(paymentSignal, { reference: 'p1', amountMinor: 100_000, paidOn: '2026-01-01' });
    const r = await wf.result();
    expect(r.stage).toBe('PAID');
    expect(fake.contacts).toHaveLength(1);
  });
}, 60_000);
