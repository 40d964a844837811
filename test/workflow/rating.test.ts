/**
 * The rating side of the invoice workflow: the customer's rating is recomputed (an activity) after a batch that
 * recorded a payment, promise, dispute or closing — never for a mere reminder, never holding up the invoice — and a
 * rating-routed policy change moves a running invoice to another policy key.
 */
import { openDisputeUpdate, paymentSignal, policyChangedSignal, recordPromiseUpdate } from '../../workflows/contract';
import { DAY, invoiceInput, policy } from './fakes';
import { collector, dateIn, eventually, expectNear, measure, stateOf, useHarness, finish } from './harness';

const h = useHarness();

test('recomputed after a payment, a promise and a dispute; not for a reminder', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    await eventually(() => expect(fake.contacts.map((c) => c.template)).toEqual(['reminder-1']));
    // Started and reminded: nothing the rating depends on yet.
    expect(fake.calls.recomputeCustomerRating ?? []).toHaveLength(0);

    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 20_000, paidOn: input.dueDate });
    await eventually(() => expect(fake.calls.recomputeCustomerRating).toHaveLength(1));
    expect(fake.calls.recomputeCustomerRating[0]).toEqual({ customerId: input.customerId });

    await wf.executeUpdate(recordPromiseUpdate, { args: [{ ...collector, promisedDate: dateIn(now, 6) }] });
    await eventually(() => expect(fake.calls.recomputeCustomerRating).toHaveLength(2));

    await wf.executeUpdate(openDisputeUpdate, {
      args: [{ ...collector, reasonCode: 'DEFECTIVE_GOODS', note: 'two pallets damaged' }],
    });
    await eventually(() => expect(fake.calls.recomputeCustomerRating).toHaveLength(3));

    await wf.signal(paymentSignal, { reference: 'p-2', amountMinor: 80_000, paidOn: input.dueDate });
    expect((await finish(wf)).stage).toBe('PAID');
    // The final payment and the closing are one more batch.
    await eventually(() => expect(fake.calls.recomputeCustomerRating).toHaveLength(4));
    const events = (await wf.fetchHistory()).events ?? [];
    const markers = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    expect(markers.length).toBeGreaterThanOrEqual(1);
    await measure(wf, 'rating-after-events');
  });
}, 90_000);

test('a failing rating recomputation does not hold up the invoice', async () => {
  await h.withWorker(async (fake) => {
    fake.hooks.ratingFails = true;
    const input = invoiceInput(await h.now(), {}, 5);
    const wf = await h.start(input);
    await wf.signal(paymentSignal, { reference: 'p-1', amountMinor: 100_000, paidOn: input.dueDate });
    // Five attempts with backoff (5 + 10 + 20 + 40 s, skipped here), then the workflow logs it and closes all the same.
    await h.env.sleep(5 * 60_000);
    const result = await finish(wf);
    expect(result.stage).toBe('PAID');
    expect(fake.calls.recomputeCustomerRating).toHaveLength(5);
    expect(fake.calls.erpPostInvoiceStatus).toHaveLength(1);
  });
}, 90_000);

test('a rating reroute moves the invoice to another policy key, whose later versions it then follows', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, {}, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    const before = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.next?.kind).toBe('REMINDER');
      return s;
    });
    const r1 = fake.contacts[0].atMs;
    expectNear(before.next!.at!, r1 + 7 * DAY);

    // Another key without `reroute` is not this invoice's business.
    const strict = policy({ segment: 'SME-strict', version: 1, name: 'SME, risky customers' });
    strict.steps[1] = { ...strict.steps[1], offset: 'P2D' };
    await wf.signal(policyChangedSignal, { policy: strict });
    expect((await stateOf(wf)).policy).toEqual({ segment: 'SME', version: 1 });

    await wf.signal(policyChangedSignal, { policy: strict, reroute: { rating: 'E', reason: 'rating C → E' } });
    const moved = await stateOf(wf);
    expect(moved.policy).toEqual({ segment: 'SME-strict', version: 1 });
    expectNear(moved.next!.at!, r1 + 2 * DAY);
    expect(moved.history.at(-1)).toMatchObject({
      kind: 'POLICY',
      summary: 'rating E (rating C → E): policy SME v1 → SME-strict v1, pending deadline recomputed',
    });
    // A repeat of the same reroute (a retried signal) changes nothing; the old key's updates no longer apply.
    await wf.signal(policyChangedSignal, { policy: strict, reroute: { rating: 'E', reason: 'rating C → E' } });
    await wf.signal(policyChangedSignal, { policy: policy({ version: 2 }) });
    const same = await stateOf(wf);
    expect(same.policy).toEqual({ segment: 'SME-strict', version: 1 });
    expect(same.history.filter((e) => e.kind === 'POLICY')).toHaveLength(1);
    // The new key's next version is adopted like any policy change.
    const strict2 = policy({ segment: 'SME-strict', version: 2 });
    strict2.steps[1] = { ...strict2.steps[1], offset: 'P4D' };
    await wf.signal(policyChangedSignal, { policy: strict2 });
    const adopted = await stateOf(wf);
    expect(adopted.policy).toEqual({ segment: 'SME-strict', version: 2 });
    expectNear(adopted.next!.at!, r1 + 4 * DAY);
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: 100_000, paidOn: input.dueDate });
    expect((await finish(wf)).stage).toBe('PAID');
  });
}, 90_000);
