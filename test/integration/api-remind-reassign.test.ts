/**
 * Against the real stack (PostgreSQL, Temporal dev server, the worker and its activities):
 * - "send a reminder now" (POST /v1/invoices/bulk `remind`, POST /v1/invoices/:id/remind): the current reminder goes
 *   out through the customer workflow and the channel's outbox, in the customer's language, one outcome per invoice
 *   (a paused one and one not yet due refused with their reason codes), never twice the same day, the schedule
 *   unchanged, audited;
 * - a reassignment reaches the running workflow: its next CALL task goes to the new collector and its `Collector`
 *   search attribute changes; a change whose signal was lost (Temporal down at that moment) is told by the
 *   intake-repair sweep.
 * The stack is shared with other files: every assertion looks at this file's own invoices only.
 */
import { SA, invoiceStateQuery, type InvoiceState } from '../../workflows/contract';
import { markCollectorChanged } from '../../contexts/collections/collector-sync';
import { repairIntake } from '../../contexts/intake/repair';
import { as, newInvoice, quietSegment } from './api-helpers';
import { createTestPolicy, eventually, secondsSettings, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
let quiet: string;

beforeAll(async () => {
  h = await startHarness();
  quiet = await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

const live = (workflowId: string): Promise<InvoiceState> =>
  h.client.workflow.getHandle(workflowId).query(invoiceStateQuery);

const bulk = (role: 'collector' | 'manager', body: unknown, key = uniq('k')) =>
  as(h, role)
    .post('/v1/invoices/bulk')
    .set('Idempotency-Key', key)
    .send(body as object);

const collectorAttribute = async (workflowId: string) =>
  (await h.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes.get(SA.collector);

describe('send a reminder now', () => {
  it('sends each invoice’s current reminder through its workflow; refusals carry their reason; once a day', async () => {
    // The quiet policy's first reminder is 30 days after the due date: nothing goes out by itself here.
    const due = await newInvoice(h, quiet, { dueInDays: -5 });
    const paused = await newInvoice(h, quiet, { dueInDays: -5 });
    const notYetDue = await newInvoice(h, quiet, { dueInDays: 10 });
    expect(
      (await as(h, 'collector').post(`/v1/invoices/${paused.invoiceId}/pause`).send({ reason: 'ferie' })).status,
    ).toBe(200);
    const before = await live(due.workflowId);

    const res = await bulk('collector', {
      action: 'remind',
      invoiceIds: [due.invoiceId, paused.number, notYetDue.invoiceId],
      note: 'sollecito telefonico',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'remind', total: 3, succeeded: 1, failed: 2 });
    expect(res.body.results[0]).toMatchObject({
      invoiceId: due.invoiceId,
      ok: true,
      reminder: { template: 'reminder-1', channels: ['EMAIL'] },
    });
    expect(res.body.results[1]).toMatchObject({
      ok: false,
      error: { status: 422, code: 'DECISION_REJECTED', reason: 'REMINDER_PAUSED' },
    });
    expect(res.body.results[2]).toMatchObject({
      ok: false,
      error: { status: 422, reason: 'REMINDER_NOT_OVERDUE', params: { dueDate: expect.any(String) } },
    });

    // The contact: recorded under its own key before the channel is called, in the customer's language.
    const contact = await eventually(() =>
      h.db.contactEvent.findFirst({
        where: { invoiceId: due.invoiceId, idempotencyKey: { startsWith: `${due.invoiceId}:REMINDER-NOW#1:EMAIL` } },
      }),
    );
    expect(contact).toMatchObject({ channel: 'EMAIL', stage: 'REMINDER', template: 'reminder-1', language: 'it' });
    expect(await h.db.contactEvent.count({ where: { invoiceId: paused.invoiceId } })).toBe(0);

    // The schedule did not move; the timeline names who sent it.
    const after = await live(due.workflowId);
    expect(after.next).toEqual(before.next);
    expect(after.history.find((e) => e.summary.startsWith('reminder reminder-1 sent now'))).toMatchObject({
      actorId: 'u-giulia',
    });

    // Once a day: the single route refuses the second one with its reason, and writes no audit row for it.
    const again = await as(h, 'collector').post(`/v1/invoices/${due.invoiceId}/remind`).send({});
    expect(again.status).toBe(422);
    expect(again.body.error).toMatchObject({ code: 'DECISION_REJECTED', reason: 'REMINDER_ALREADY_TODAY' });
    expect(await h.db.auditEvent.count({ where: { entityId: due.invoiceId, action: 'decision.reminder' } })).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await h.db.contactEvent.count({ where: { invoiceId: due.invoiceId } })).toBe(1);
  });

  it('the single route sends it and audits it with the actor; unknown fields are refused', async () => {
    const inv = await newInvoice(h, quiet, { dueInDays: -3 });
    const bad = await as(h, 'collector').post(`/v1/invoices/${inv.invoiceId}/remind`).send({ channel: 'SMS' });
    expect(bad.status).toBe(400);
    const ok = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/remind`)
      .send({ note: 'chiesto dal cliente' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      decision: 'reminder',
      state: { lastReminder: { template: 'reminder-1', manual: true } },
    });
    const row = await h.db.auditEvent.findFirstOrThrow({
      where: { entityId: inv.invoiceId, action: 'decision.reminder' },
    });
    expect(row.actorId).toBe('u-giulia');
    await eventually(() =>
      h.db.contactEvent.findFirst({ where: { invoiceId: inv.invoiceId, template: 'reminder-1' } }),
    );
  });
});

describe('a reassignment reaches the running workflow', () => {
  it('the next CALL task goes to the new collector and the Collector search attribute changes', async () => {
    // A reminder at once, then a CALL 20 seconds later: the reassignment lands in between.
    const segment = await createTestPolicy(h.db, {
      name: 'call-soon',
      steps: [
        { stage: 'REMINDER', offset: 'PT1S', channels: ['EMAIL'], template: 'reminder-1' },
        { stage: 'CALL', offset: 'PT20S', channels: ['TASK'], template: 'call' },
      ],
      settings: secondsSettings,
    });
    const inv = await newInvoice(h, segment, { collectorId: 'u-giulia', dueInDays: -2 });
    await eventually(async () =>
      (await h.db.invoice.findUniqueOrThrow({ where: { id: inv.invoiceId } })).stage === 'REMINDER' ? true : null,
    );
    expect(await collectorAttribute(inv.workflowId)).toBe('u-giulia');
    expect(await h.db.task.count({ where: { invoiceId: inv.invoiceId, kind: 'CALL' } })).toBe(0);

    const res = await bulk('manager', { action: 'reassign', invoiceIds: [inv.invoiceId], collectorId: 'u-marco' });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ ok: true, workflowTold: true });
    const row = await h.db.invoice.findUniqueOrThrow({ where: { id: inv.invoiceId } });
    expect(row.collectorPendingAt).toBeNull();
    expect(row.collectorVersion).toBeGreaterThan(0);
    await eventually(async () => ((await collectorAttribute(inv.workflowId)) === 'u-marco' ? true : null));

    const task = await eventually(
      () => h.db.task.findFirst({ where: { invoiceId: inv.invoiceId, kind: 'CALL' } }),
      60_000,
    );
    expect(task.assigneeId).toBe('u-marco');
    expect((await live(inv.workflowId)).pendingTasks.find((t) => t.kind === 'CALL')?.assigneeId).toBe('u-marco');
  });

  it('a change whose signal was lost is told by the intake-repair sweep', async () => {
    const inv = await newInvoice(h, quiet, { collectorId: 'u-giulia' });
    // The binding committed with its mark, and then Temporal did not answer: nothing was signalled.
    await h.db.$transaction(async (tx) => {
      await tx.customer.update({ where: { id: inv.customerId }, data: { collectorId: 'u-marco' } });
      await markCollectorChanged(tx, [inv.customerId]);
    });
    await h.db.invoice.update({
      where: { id: inv.invoiceId },
      data: { collectorPendingAt: new Date(Date.now() - 5 * 60_000) },
    });
    expect(await collectorAttribute(inv.workflowId)).toBe('u-giulia');

    const result = await repairIntake(
      { db: h.db, temporal: h.client, taskQueue: h.taskQueue, timeZone: 'Europe/Rome', extraHolidays: [] },
      { graceSeconds: 60 },
    );
    expect(result.collectorsTold).toBeGreaterThanOrEqual(1);
    expect((await h.db.invoice.findUniqueOrThrow({ where: { id: inv.invoiceId } })).collectorPendingAt).toBeNull();
    await eventually(async () => ((await collectorAttribute(inv.workflowId)) === 'u-marco' ? true : null));
    expect(
      (await live(inv.workflowId)).history.some((e) => e.summary === 'collector changed: u-giulia → u-marco'),
    ).toBe(true);
  });
});
