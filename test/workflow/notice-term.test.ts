/**
 * `notice-term-from-receipt`: after a formal notice sent by PEC or letter, LEGAL waits for the end of the 15-day term
 * counted from the proof of receipt (art. 2963 c.c.: the day of receipt not counted, a Sunday or holiday moves the
 * end to the next working day) plus the policy's buffer, never before its own offset; without a proof it waits up to
 * 30 days and then fires saying so. A receipt signalled twice counts once. Records a history for test/histories/
 * (RECORD_HISTORIES=1). docs/channels.md gives the sources.
 */
import { invoiceStateQuery, noticeReceiptSignal, paymentSignal } from '../../workflows/contract';
import { legalStepAfterReceiptMs } from '../../domain/notices';
import { DAY, invoiceInput, policy, settings } from './fakes';
import { dateIn, eventually, expectNear, finish, measure, useHarness } from './harness';

const h = useHarness('time-skipping');

const steps = [
  { stage: 'FORMAL_NOTICE' as const, offset: 'P1D', channels: ['PEC' as const], template: 'formal-notice' },
  { stage: 'LEGAL' as const, offset: 'P15D', channels: [], template: 'legal', requiresApproval: true },
];

const receipt = (id: string, status: 'ACCEPTED' | 'DELIVERED' | 'FAILED', atMs: number) => ({
  receiptId: id,
  contactEventId: 'ce-notice',
  channel: 'PEC' as const,
  status,
  kind: status === 'DELIVERED' ? 'DELIVERY' : status === 'FAILED' ? 'NON_DELIVERY' : 'ACCEPTANCE',
  stage: 'FORMAL_NOTICE' as const,
  at: new Date(atMs).toISOString(),
});

test('LEGAL runs from the PEC delivery receipt: term end + buffer, not the letter date', async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    const input = invoiceInput(now, { policy: policy({ settings: settings({ noticeTermBuffer: 'P3D' }) }, steps) }, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    const notice = await eventually(async () => {
      const s = await wf.query(invoiceStateQuery);
      expect(s.stage).toBe('FORMAL_NOTICE');
      return s;
    });
    const firedAt = Date.parse(notice.history.find((e) => e.summary.startsWith('FORMAL_NOTICE'))!.at);
    // No proof yet: LEGAL would go ahead only 30 days after the notice, saying it had no proof.
    expect(notice.next?.kind).toBe('LEGAL');
    expectNear(notice.next!.at!, firedAt + 30 * DAY);

    await wf.signal(noticeReceiptSignal, receipt('r-acc', 'ACCEPTED', firedAt + 60_000));
    // Delivered four days after the notice (a mailbox the debtor's provider held): the term counts from there.
    const deliveredAt = firedAt + 4 * DAY;
    await wf.signal(noticeReceiptSignal, receipt('r-del', 'DELIVERED', deliveredAt));
    await wf.signal(noticeReceiptSignal, receipt('r-del', 'DELIVERED', deliveredAt));
    const expected = legalStepAfterReceiptMs(deliveredAt, 15, 'Europe/Rome', 3 * DAY);
    const waiting = await eventually(async () => {
      const s = await wf.query(invoiceStateQuery);
      expect(s.next?.at).toBe(new Date(expected).toISOString());
      return s;
    });
    expect(waiting.next?.kind).toBe('LEGAL');
    // At least 15 whole days after receipt plus the 3-day buffer, i.e. later than the step's own 15 days.
    expect(expected - deliveredAt).toBeGreaterThanOrEqual(18 * DAY);
    expect(expected).toBeGreaterThan(firedAt + 15 * DAY);
    expect(waiting.history.filter((e) => e.summary === 'PEC DELIVERED (DELIVERY)')).toHaveLength(1);
    expect(waiting.history.filter((e) => e.summary === 'PEC ACCEPTED (ACCEPTANCE)')).toHaveLength(1);

    // The day the plain 15-day offset would have fired, nothing happens.
    await h.env.sleep(16 * DAY);
    expect((await wf.query(invoiceStateQuery)).stage).toBe('FORMAL_NOTICE');
    await h.env.sleep(expected - (await h.now()) + 60_000);
    const legal = await eventually(async () => {
      const s = await wf.query(invoiceStateQuery);
      expect(s.stage).toBe('LEGAL');
      return s;
    });
    expect(legal.history.find((e) => e.summary.startsWith('LEGAL'))?.summary).toMatch(
      /^LEGAL \(legal\) — term of 15 days from receipt on .* ended$/,
    );
    expect(legal.legal).toMatchObject({ pendingApproval: true });
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 40) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    await measure(wf, 'notice-term-from-pec-receipt');
  });
}, 120_000);

test('no proof of receipt: LEGAL waits 30 days and says why; a failed PEC only adds to the history', async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    const input = invoiceInput(now, { policy: policy({}, steps) }, -1);
    const wf = await h.start(input);
    await h.env.sleep(2 * DAY);
    const notice = await eventually(async () => {
      const s = await wf.query(invoiceStateQuery);
      expect(s.stage).toBe('FORMAL_NOTICE');
      return s;
    });
    const firedAt = Date.parse(notice.history.find((e) => e.summary.startsWith('FORMAL_NOTICE'))!.at);
    await wf.signal(noticeReceiptSignal, receipt('r-fail', 'FAILED', firedAt + DAY));
    await eventually(async () =>
      expect((await wf.query(invoiceStateQuery)).history.at(-1)?.summary).toBe('PEC FAILED (NON_DELIVERY)'),
    );
    await h.env.sleep(29 * DAY);
    const legal = await eventually(async () => {
      const s = await wf.query(invoiceStateQuery);
      expect(s.stage).toBe('LEGAL');
      return s;
    });
    expect(legal.history.find((e) => e.summary.startsWith('LEGAL'))?.summary).toBe(
      'LEGAL (legal) — no proof of receipt of the formal notice within P30D',
    );
    await wf.signal(paymentSignal, { reference: 'p', amountMinor: input.balanceMinor, paidOn: dateIn(now, 40) });
    expect(await finish(wf)).toMatchObject({ stage: 'PAID' });
    await measure(wf, 'notice-term-no-proof-of-receipt');
  });
}, 120_000);

test('an e-mail-only formal notice keeps counting from the notice (no receipt to wait for)', async () => {
  await h.withWorker(async () => {
    const now = await h.now();
    const emailOnly = [{ ...steps[0], channels: ['EMAIL' as const] }, steps[1]];
    const wf = await h.start(invoiceInput(now, { policy: policy({}, emailOnly) }, -1));
    await h.env.sleep(2 * DAY);
    const notice = await eventually(async () => {
      const s = await wf.query(invoiceStateQuery);
      expect(s.stage).toBe('FORMAL_NOTICE');
      return s;
    });
    const firedAt = Date.parse(notice.history.find((e) => e.summary.startsWith('FORMAL_NOTICE'))!.at);
    expectNear(notice.next!.at!, firedAt + 15 * DAY);
  });
}, 60_000);
