/**
 * A provider's call status reaches the invoice workflow: the Twilio callback (already recorded on the contact log by
 * the webhook) is passed to every open invoice the contact covered; a call that could not be placed opens a
 * FIX_CONTACT task.
 */
import { invoiceStateQuery } from '../../workflows/contract';
import { passCallStatus } from '../../contexts/intake/invoices';
import { newInvoice, quietSegment } from './api-helpers';
import { eventually, startHarness, type Harness } from './harness';

jest.setTimeout(120_000);

let h: Harness;
const deps = () => ({ db: h.db, temporal: h.client });
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});

it('records NO_ANSWER on the timeline, and a FAILED call asks for the contact to be fixed', async () => {
  const segment = await quietSegment(h);
  const inv = await newInvoice(h, segment);
  const wf = h.client.workflow.getHandle(inv.workflowId);
  await eventually(async () => (await wf.query(invoiceStateQuery)).stage !== undefined);

  const event = { contactEventId: 'ce-1', invoiceId: inv.invoiceId, invoiceIds: [inv.invoiceId], channel: 'VOICE' };
  await passCallStatus(deps(), { ...event, status: 'NO_ANSWER' });
  await eventually(async () =>
    (await wf.query(invoiceStateQuery)).history.some((e) => e.kind === 'CONTACT' && e.summary === 'VOICE NO_ANSWER'),
  );
  expect((await wf.query(invoiceStateQuery)).pendingTasks.filter((t) => t.kind === 'FIX_CONTACT')).toHaveLength(0);

  await passCallStatus(deps(), { ...event, status: 'FAILED' });
  const st = await eventually(async () => {
    const s = await wf.query(invoiceStateQuery);
    return s.pendingTasks.some((t) => t.kind === 'FIX_CONTACT') ? s : null;
  });
  expect(st.history.some((e) => e.summary === 'VOICE FAILED')).toBe(true);
  const task = await eventually(() =>
    h.db.task.findFirst({ where: { invoiceId: inv.invoiceId, kind: 'FIX_CONTACT', status: 'OPEN' } }),
  );
  expect(task).not.toBeNull();

  // A status for an invoice that does not exist (or is closed) is left to the contact log.
  await expect(
    passCallStatus(deps(), {
      ...event,
      invoiceId: null,
      invoiceIds: ['00000000-0000-0000-0000-000000000000'],
      status: 'BUSY',
    }),
  ).resolves.toBeUndefined();
});
