/**
 * The collectors' agenda, task outcomes and reassignment, dunning policies (versioned, signalled to the running
 * workflows of the segment), and the customer 360 with its contact log, documents and letters.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { termEndOfRow } from '../../contexts/intake/term-end';
import { linkForMessage } from '../../contexts/portal/links';
import { daysOverdue, todayIn } from '../../domain/time';
import { invoiceStateQuery } from '../../workflows/contract';
import { as, newInvoice, quietSegment, quietSteps, snapshot } from './api-helpers';
import { eventually, isoDaysFromToday, secondsSettings, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness();
  segment = await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

/** Days overdue of an invoice today in Rome, from the term end its intake stored before the workflow started. */
async function overdueDays(invoiceId: string): Promise<number> {
  const row = await h.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
  return daysOverdue(termEndOfRow(row), todayIn('Europe/Rome'));
}

async function task(opts: {
  customerId: string;
  invoiceId?: string | null;
  assigneeId: string | null;
  dueInDays: number;
  kind?: string;
}) {
  const due = new Date();
  due.setUTCDate(due.getUTCDate() + opts.dueInDays);
  return h.db.task.create({
    data: {
      idempotencyKey: uniq('test-task'),
      kind: opts.kind ?? 'CALL',
      customerId: opts.customerId,
      invoiceId: opts.invoiceId ?? null,
      assigneeId: opts.assigneeId,
      dueAt: due,
    },
  });
}

describe('agenda', () => {
  it('shows the caller’s open tasks (a callback only from its day), by amount × days overdue × risk', async () => {
    const seg = await quietSegment(h);
    const small = await newInvoice(h, seg, { amountMinor: 100_000, dueInDays: -10 }); // 1,000 × 10
    const big = await newInvoice(h, seg, { amountMinor: 500_000, dueInDays: -10 }); // 5,000 × 10
    const risky = await newInvoice(h, seg, { amountMinor: 100_000, dueInDays: -10 });
    await h.db.customer.update({ where: { id: risky.customerId }, data: { rating: 'E' } });
    const area = uniq('Area');
    await h.db.customer.updateMany({
      where: { id: { in: [small.customerId, big.customerId, risky.customerId] } },
      data: { area },
    });
    const tSmall = await task({
      customerId: small.customerId,
      invoiceId: small.invoiceId,
      assigneeId: 'u-giulia',
      dueInDays: -3,
    });
    const tBig = await task({
      customerId: big.customerId,
      invoiceId: big.invoiceId,
      assigneeId: 'u-giulia',
      dueInDays: 0,
    });
    const tRisky = await task({
      customerId: risky.customerId,
      invoiceId: risky.invoiceId,
      assigneeId: 'u-giulia',
      dueInDays: -1,
    });
    // A callback is an appointment: off the agenda until its day.
    const tFuture = await task({
      customerId: big.customerId,
      invoiceId: big.invoiceId,
      assigneeId: 'u-giulia',
      dueInDays: 3,
      kind: 'CALLBACK',
    });
    // Any other task's dueAt is its deadline: a call opened today with its outcome due in three days is work today.
    const tDeadline = await task({
      customerId: big.customerId,
      invoiceId: big.invoiceId,
      assigneeId: 'u-giulia',
      dueInDays: 3,
    });
    const tMarco = await task({
      customerId: big.customerId,
      invoiceId: big.invoiceId,
      assigneeId: 'u-marco',
      dueInDays: -1,
    });

    const mine = await as(h, 'collector').get(`/v1/agenda?area=${area}`);
    expect(mine.status).toBe(200);
    const ids = (mine.body.items as Array<{ taskId: string }>).map((t) => t.taskId);
    // C (risk 3) × 5,000 × 10 = 150,000 (twice: the earlier deadline first) > E (risk 5) × 1,000 × 10 = 50,000 >
    // C × 1,000 × 10 = 30,000.
    expect(ids).toEqual([tBig.id, tDeadline.id, tRisky.id, tSmall.id]);
    expect(ids).not.toContain(tFuture.id);
    expect(ids).not.toContain(tMarco.id);
    // Days overdue count in the business time zone (Europe/Rome) from the term end, which a Sunday or a holiday
    // moves (art. 1187 c.c.): "due 10 days ago" is 9 days overdue when that day was a Sunday.
    const top = mine.body.items[0] as { priority: number; invoice: { daysOverdue: number; balanceMinor: number } };
    expect(top.invoice.daysOverdue).toBe(await overdueDays(big.invoiceId));
    expect(top.invoice.daysOverdue).toBeGreaterThanOrEqual(7);
    expect(top.priority).toBe(5000 * top.invoice.daysOverdue * 3);

    const managerView = await as(h, 'manager').get(`/v1/agenda?collector=u-marco&area=${area}`);
    expect(managerView.body.items.map((t: { taskId: string }) => t.taskId)).toEqual([tMarco.id]);
    const spoof = await as(h, 'collector').get('/v1/agenda?collector=u-marco');
    expect(spoof.status).toBe(403);
    expect((await as(h, 'erp').get('/v1/agenda')).status).toBe(403);
  });

  it('pages the agenda in SQL: priority order across pages, ties by due time, a customer task weighs its overdue balance', async () => {
    const seg = await quietSegment(h);
    const area = uniq('Area');
    const mk = (amountMinor: number, dueInDays: number) => newInvoice(h, seg, { amountMinor, dueInDays, area });
    const a = await mk(100_000, -10); // C: 1,000 × 10 × 3 = 30,000
    const b = await mk(200_000, -10); // B below: 2,000 × 10 × 2 = 40,000
    await h.db.customer.update({ where: { id: b.customerId }, data: { rating: 'B' } });
    const c = await mk(300_000, 5); // not yet due: 3,000 × max(1, 0) × 3 = 9,000
    const d = await mk(100_000, -10); // same priority as a: the earlier due task comes first
    // A customer with two overdue invoices (1,000 × 20 days and 500 × 4 days) and a task without an invoice:
    // 1,500 × 20 (the oldest) × 3 = 90,000.
    const customerId = uniq('CUST');
    const oldest = await newInvoice(h, seg, { customerId, amountMinor: 100_000, dueInDays: -20, area });
    await newInvoice(h, seg, { customerId, amountMinor: 50_000, dueInDays: -4, area });
    const e = await h.db.customer.findUniqueOrThrow({ where: { externalId: customerId } });
    const tA = await task({ customerId: a.customerId, invoiceId: a.invoiceId, assigneeId: 'u-giulia', dueInDays: -1 });
    const tB = await task({ customerId: b.customerId, invoiceId: b.invoiceId, assigneeId: 'u-marco', dueInDays: 0 });
    const tC = await task({ customerId: c.customerId, invoiceId: c.invoiceId, assigneeId: 'u-giulia', dueInDays: 0 });
    const tD = await task({ customerId: d.customerId, invoiceId: d.invoiceId, assigneeId: null, dueInDays: -2 });
    const tE = await task({
      customerId: e.id,
      invoiceId: null,
      assigneeId: 'u-giulia',
      dueInDays: 0,
      kind: 'FIX_CONTACT',
    });
    const expected = [tE.id, tB.id, tD.id, tA.id, tC.id];

    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await as(h, 'manager').get(`/v1/agenda?area=${area}&page=${page}&pageSize=2`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ page, pageSize: 2, total: 5 });
      seen.push(...(res.body.items as Array<{ taskId: string }>).map((t) => t.taskId));
    }
    expect(seen).toEqual(expected);
    const all = await as(h, 'manager').get(`/v1/agenda?area=${area}`);
    expect(all.body).toMatchObject({ page: 1, pageSize: 50, total: 5 });
    const items = all.body.items as Array<{
      taskId: string;
      priority: number;
      invoice: { daysOverdue: number } | null;
    }>;
    expect(items.map((t) => t.taskId)).toEqual(expected);
    expect(items[0].invoice).toBeNull();
    // Days overdue count in the business time zone from each invoice's term end (a Sunday or holiday moves it).
    const daysA = items[3].invoice?.daysOverdue ?? NaN;
    expect(daysA).toBe(await overdueDays(a.invoiceId));
    expect(items[0].priority).toBe(1500 * (await overdueDays(oldest.invoiceId)) * 3);
    expect(items[1].priority).toBe(2000 * daysA * 2);
    expect(items[4]).toMatchObject({ priority: 9000, invoice: { daysOverdue: 0 } });
    const past = await as(h, 'manager').get(`/v1/agenda?area=${area}&page=9&pageSize=2`);
    expect(past.body).toMatchObject({ page: 9, total: 5, items: [] });

    // Visibility holds on every page: Giulia sees her three, Marco his one, "unassigned" the fourth.
    const giulia = await as(h, 'collector').get(`/v1/agenda?area=${area}&pageSize=2&page=2`);
    expect(giulia.body).toMatchObject({ total: 3 });
    expect(giulia.body.items.map((t: { taskId: string }) => t.taskId)).toEqual([tC.id]);
    const marco = await as(h, 'collector2').get(`/v1/agenda?area=${area}`);
    expect(marco.body.items.map((t: { taskId: string }) => t.taskId)).toEqual([tB.id]);
    const unassigned = await as(h, 'manager').get(`/v1/agenda?area=${area}&collector=unassigned`);
    expect(unassigned.body.items.map((t: { taskId: string }) => t.taskId)).toEqual([tD.id]);
    const bySalesperson = await as(h, 'manager').get(`/v1/agenda?area=${area}&salesperson=u-nobody`);
    expect(bySalesperson.body).toMatchObject({ total: 0, items: [] });
  });

  it('refuses bad paging with the field named (400)', async () => {
    for (const [query, field] of [
      ['pageSize=201', 'pageSize'],
      ['pageSize=0', 'pageSize'],
      ['page=0', 'page'],
      ['page=abc', 'page'],
    ]) {
      const res = await as(h, 'collector').get(`/v1/agenda?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(field);
    }
  });

  it('reassigns a task (manager only), refuses unknown users, audits before/after', async () => {
    const inv = await newInvoice(h, segment);
    const t = await task({
      customerId: inv.customerId,
      invoiceId: inv.invoiceId,
      assigneeId: 'u-giulia',
      dueInDays: 0,
    });
    expect((await as(h, 'collector').post(`/v1/tasks/${t.id}/reassign`).send({ assigneeId: 'u-marco' })).status).toBe(
      403,
    );
    const unknown = await as(h, 'manager').post(`/v1/tasks/${t.id}/reassign`).send({ assigneeId: 'u-nobody' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0].path).toBe('assigneeId');
    const ok = await as(h, 'manager').post(`/v1/tasks/${t.id}/reassign`).send({ assigneeId: 'u-marco' });
    expect(ok.status).toBe(200);
    expect((await h.db.task.findUniqueOrThrow({ where: { id: t.id } })).assigneeId).toBe('u-marco');
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'task.reassign', entityId: t.id } });
    expect(audit.before).toEqual({ assigneeId: 'u-giulia' });
    // It leaves Giulia's agenda and appears on Marco's, who may now act on it although the customer is Giulia's.
    const giulia = await as(h, 'collector').get('/v1/agenda?limit=500');
    expect(giulia.body.items.map((x: { taskId: string }) => x.taskId)).not.toContain(t.id);
    const marco = await as(h, 'collector2').get('/v1/agenda?limit=500');
    expect(marco.body.items.map((x: { taskId: string }) => x.taskId)).toContain(t.id);
    const other = await newInvoice(h, segment, { collectorId: 'u-giulia' });
    const notHis = await task({
      customerId: other.customerId,
      invoiceId: other.invoiceId,
      assigneeId: 'u-giulia',
      dueInDays: 0,
    });
    expect(
      (await as(h, 'collector2').post(`/v1/tasks/${notHis.id}/complete`).send({ outcome: 'NO_ANSWER' })).status,
    ).toBe(403);
    expect(
      (
        await as(h, 'manager')
          .post(`/v1/tasks/${uniq('x')}/reassign`)
          .send({ assigneeId: 'u-marco' })
      ).status,
    ).toBe(404);
  });

  it('completes a task: the workflow judges it (422 for a task it does not know), a customer task closes with a call log', async () => {
    const inv = await newInvoice(h, segment);
    const foreign = await task({
      customerId: inv.customerId,
      invoiceId: inv.invoiceId,
      assigneeId: 'u-giulia',
      dueInDays: 0,
    });
    const rejected = await as(h, 'collector').post(`/v1/tasks/${foreign.id}/complete`).send({ outcome: 'NO_ANSWER' });
    expect(rejected.status).toBe(422);
    expect(rejected.body.error.message).toMatch(/not open/);
    expect((await h.db.task.findUniqueOrThrow({ where: { id: foreign.id } })).status).toBe('OPEN');

    const bad = await as(h, 'collector').post(`/v1/tasks/${foreign.id}/complete`).send({ outcome: 'PROMISE' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('promise');

    const customerTask = await task({
      customerId: inv.customerId,
      invoiceId: null,
      assigneeId: 'u-giulia',
      dueInDays: 0,
    });
    const done = await as(h, 'collector')
      .post(`/v1/tasks/${customerTask.id}/complete`)
      .send({ outcome: 'REACHED', reasonCode: 'LIQUIDITY', note: 'pagherà a fine mese' });
    expect(done.status).toBe(200);
    expect((await h.db.task.findUniqueOrThrow({ where: { id: customerTask.id } })).status).toBe('DONE');
    const log = await h.db.contactEvent.findUniqueOrThrow({
      where: { idempotencyKey: `task:${customerTask.id}:outcome` },
    });
    expect(log).toMatchObject({ channel: 'CALL_LOG', outcome: 'REACHED', reasonCode: 'LIQUIDITY' });
    const twice = await as(h, 'collector').post(`/v1/tasks/${customerTask.id}/complete`).send({ outcome: 'REACHED' });
    expect(twice.status).toBe(409);
  });

  it('completes the workflow’s own call task with a promise (end to end through the update)', async () => {
    const callSeg = await (async () => {
      const s = uniq('seg');
      await h.db.dunningPolicy.create({
        data: {
          segment: s,
          version: 1,
          name: 'call at once',
          steps: [{ stage: 'CALL', offset: 'PT1S', channels: ['TASK'], template: 'call' }] as object[],
          settings: secondsSettings as object,
        },
      });
      return s;
    })();
    const inv = await newInvoice(h, callSeg, { dueInDays: -2 });
    const open = await eventually(
      async () => h.db.task.findFirst({ where: { invoiceId: inv.invoiceId, status: 'OPEN', kind: 'CALL' } }),
      40_000,
    );
    const res = await as(h, 'collector')
      .post(`/v1/tasks/${open.id}/complete`)
      .send({ outcome: 'PROMISE', promise: { promisedDate: isoDaysFromToday(5) }, reasonCode: 'LIQUIDITY' });
    expect(res.status).toBe(200);
    expect(res.body.state.promise).toMatchObject({ promisedDate: isoDaysFromToday(5) });
    const state = await h.client.workflow.getHandle(inv.workflowId).query(invoiceStateQuery);
    expect(state.pendingTasks.map((t) => t.taskId)).not.toContain(open.id);
  });
});

describe('what debtors asked for on the portal, on the agenda', () => {
  /** A debtor signed in through their link, and a form of their page sent as a browser would. */
  async function debtorOf(customerId: string) {
    const link = await linkForMessage({ db: h.db, config: h.config }, customerId, new Date());
    const agent = request.agent(h.app);
    expect((await agent.get(`/p/${link!.token}`)).status).toBe(303);
    const tokens = async () => {
      const page = await agent.get('/portal/');
      return {
        _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1],
        _form: /name="_form" value="([^"]+)"/.exec(page.text)![1],
      };
    };
    return { agent, tokens };
  }

  it('shows each request with what the debtor sent, and closes it only through the request’s decision', async () => {
    const area = uniq('area');
    const customer = uniq('CUST');
    const paid = await newInvoice(h, segment, { customerId: customer, area, amountMinor: 180_000, dueInDays: -30 });
    const disputed = await newInvoice(h, segment, { customerId: customer, area, amountMinor: 90_000, dueInDays: -20 });
    const planned = await newInvoice(h, segment, { customerId: customer, area, amountMinor: 300_000, dueInDays: -10 });
    const { agent, tokens } = await debtorOf(paid.customerId);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n');

    let t = await tokens();
    const claim = await agent
      .post('/portal/paid')
      .field('_csrf', t._csrf)
      .field('_form', t._form)
      .field('invoiceId', paid.invoiceId)
      .field('paidOn', isoDaysFromToday(-2))
      .attach('file', pdf, { filename: 'contabile-bonifico.pdf', contentType: 'application/pdf' });
    expect(claim.status).toBe(303);
    t = await tokens();
    const contact = await agent
      .post('/portal/contact')
      .type('form')
      .send({ ...t, email: 'pagamenti@cliente.example', phone: '', addressLine: '', city: '' });
    expect(contact.status).toBe(303);
    t = await tokens();
    const plan = await agent
      .post('/portal/plan')
      .type('form')
      .send({ ...t, invoiceId: planned.invoiceId, instalments: '3', firstDate: isoDaysFromToday(10) });
    expect(plan.status).toBe(303);
    t = await tokens();
    const dispute = await agent
      .post('/portal/dispute')
      .field('_csrf', t._csrf)
      .field('_form', t._form)
      .field('invoiceId', disputed.invoiceId)
      .field('reasonCode', 'DEFECTIVE_GOODS')
      .field('note', 'Merce arrivata danneggiata')
      .attach('file', pdf, { filename: 'foto-danni.pdf', contentType: 'application/pdf' });
    expect(dispute.status).toBe(303);
    // The workflow opens the review task with five days to decide it: on the agenda from the start.
    await eventually(() =>
      h.db.task.findFirst({ where: { invoiceId: disputed.invoiceId, kind: 'REVIEW_DISPUTE', status: 'OPEN' } }),
    );
    await eventually(() => h.db.dispute.findFirst({ where: { invoiceId: disputed.invoiceId, status: 'OPEN' } }));

    // The collector's agenda: the payment to verify and the contact details, each with its request.
    const mine = await as(h, 'collector').get('/v1/agenda').query({ area, pageSize: 200 });
    expect(mine.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON body, read field by field below
    type Item = { kind: string; taskId: string; assigneeId: string | null; request: any; dispute: any };
    const byKind = (items: Item[]): Record<string, Item> => Object.fromEntries(items.map((i) => [i.kind, i]));
    const c = byKind(mine.body.items);
    expect(Object.keys(c).sort()).toEqual(['CONFIRM_CONTACT', 'REVIEW_DISPUTE', 'VERIFY_PAYMENT']);
    expect(c.VERIFY_PAYMENT.request).toMatchObject({
      kind: 'PAYMENT_CLAIM',
      payload: { invoiceNumber: paid.number, paidOn: isoDaysFromToday(-2) },
      document: { filename: 'contabile-bonifico.pdf', mimeType: 'application/pdf', sizeBytes: pdf.length },
      invoice: { id: paid.invoiceId, number: paid.number, currency: 'EUR' },
    });
    expect(c.CONFIRM_CONTACT.request).toMatchObject({
      kind: 'CONTACT',
      payload: { email: 'pagamenti@cliente.example' },
      invoice: null,
      document: null,
    });
    expect(c.REVIEW_DISPUTE.request).toBeNull();
    expect(c.REVIEW_DISPUTE.dispute).toMatchObject({
      reasonCode: 'DEFECTIVE_GOODS',
      fromPortal: true,
      documents: [{ filename: 'foto-danni.pdf', sizeBytes: pdf.length }],
    });
    expect(c.REVIEW_DISPUTE.dispute.note).toContain('Merce arrivata danneggiata');
    // The row says the invoice is disputed (the console shows "Contestata", not its dunning stage); the others not.
    expect((c.REVIEW_DISPUTE as Item & { invoice: { disputed: boolean } }).invoice.disputed).toBe(true);
    expect((c.VERIFY_PAYMENT as Item & { invoice: { disputed: boolean } | null }).invoice?.disputed ?? false).toBe(
      false,
    );
    // The plan is the credit manager's: unassigned, on the managers' agenda.
    const all = byKind((await as(h, 'manager').get('/v1/agenda').query({ area, pageSize: 200 })).body.items);
    expect(all.APPROVE_PLAN.assigneeId).toBeNull();
    expect(all.APPROVE_PLAN.request.payload.instalments).toHaveLength(3);
    expect(all.APPROVE_PLAN.request.payload.instalments.map((i: { amountMinor: number }) => i.amountMinor)).toEqual([
      100_000, 100_000, 100_000,
    ]);

    // "Done" on the task alone would leave the request pending: refused with a code, nothing written.
    const before = await snapshot(h);
    const shortcut = await as(h, 'collector')
      .post(`/v1/tasks/${c.VERIFY_PAYMENT.taskId}/complete`)
      .send({ outcome: 'REACHED' });
    expect(shortcut.status).toBe(409);
    expect(shortcut.body.error).toMatchObject({
      code: 'CONFLICT',
      reason: 'DECIDED_BY_REQUEST',
      params: { requestId: c.VERIFY_PAYMENT.request.id, kind: 'PAYMENT_CLAIM' },
    });
    expect(await snapshot(h)).toEqual(before);

    // Decided through the request (what the agenda's buttons send): each task leaves the agenda.
    expect(
      (await as(h, 'collector').post(`/v1/portal/requests/${c.VERIFY_PAYMENT.request.id}/approve`).send({})).status,
    ).toBe(200);
    expect(
      (await as(h, 'collector').post(`/v1/portal/requests/${c.CONFIRM_CONTACT.request.id}/decline`).send({})).status,
    ).toBe(200);
    const approved = await as(h, 'manager').post(`/v1/portal/requests/${all.APPROVE_PLAN.request.id}/approve`).send({});
    expect(approved.status).toBe(200);
    expect(approved.body.state.stage).toBe('REPAYMENT_PLAN');
    const resolved = await as(h, 'manager')
      .post(`/v1/invoices/${disputed.invoiceId}/dispute/resolve`)
      .send({ outcome: 'REJECTED', note: 'Danni non imputabili al trasporto' });
    expect(resolved.status).toBe(200);
    await eventually(async () => {
      const left = (await as(h, 'manager').get('/v1/agenda').query({ area, pageSize: 200 })).body.items;
      return left.length === 0;
    });
    const customerRow = await h.db.customer.findUniqueOrThrow({ where: { id: paid.customerId } });
    expect(customerRow.email).toBe('amministrazione@ferramenta.example');
    for (const id of [c.VERIFY_PAYMENT.taskId, c.CONFIRM_CONTACT.taskId, all.APPROVE_PLAN.taskId]) {
      expect((await h.db.task.findUniqueOrThrow({ where: { id } })).status).toBe('DONE');
    }
  });
});

describe('policies', () => {
  const body = (offset: string) => ({
    name: 'quiet, revised',
    steps: [{ ...quietSteps[0], offset }, quietSteps[1]],
    settings: secondsSettings,
  });

  it('PUT writes a new version and notifies every running workflow of the segment; the same policy again writes nothing', async () => {
    const seg = await quietSegment(h);
    const a = await newInvoice(h, seg);
    const b = await newInvoice(h, seg);
    const other = await newInvoice(h, segment);
    await eventually(
      async () =>
        (
          await h.client.workflow.count(
            `Segment = '${seg}' AND ExecutionStatus = 'Running' AND WorkflowType = 'invoiceWorkflow'`,
          )
        ).count === 2,
      30_000,
    );

    const res = await as(h, 'manager').put(`/v1/policies/${seg}`).send(body('P20D'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      created: true,
      previousVersion: 1,
      rollout: { policyKey: seg, version: 2, previousVersion: 1 },
      policy: { segment: seg, version: 2 },
    });
    const done = await eventually(async () => {
      const r = await as(h, 'manager').get(`/v1/policies/${seg}/rollout`).expect(200);
      return r.body.rollout.status === 'DONE' ? r.body.rollout : null;
    });
    expect(done).toMatchObject({ version: 2, notified: 2, segments: [seg], rerouted: { invoices: 0 } });
    for (const inv of [a, b]) {
      await eventually(async () => {
        const s = await h.client.workflow.getHandle(inv.workflowId).query(invoiceStateQuery);
        return s.policy.version === 2;
      });
    }
    const untouched = await h.client.workflow.getHandle(other.workflowId).query(invoiceStateQuery);
    expect(untouched.policy.version).toBe(1);

    const same = await as(h, 'manager').put(`/v1/policies/${seg}`).send(body('P20D'));
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ created: false, policy: { version: 2 }, rollout: { version: 2 } });
    await eventually(async () => {
      const r = await as(h, 'manager').get(`/v1/policies/${seg}/rollout`).expect(200);
      return r.body.rollout.status === 'DONE' && r.body.rollout.notified === 2;
    });
    expect(await h.db.dunningPolicy.count({ where: { segment: seg } })).toBe(2);
    expect(
      await h.db.auditEvent.count({ where: { action: 'policy.change', entityId: { startsWith: `${seg}@` } } }),
    ).toBe(1);

    const list = await as(h, 'collector').get('/v1/policies');
    expect(list.status).toBe(200);
    expect(list.body.policies.find((p: { segment: string }) => p.segment === seg)).toMatchObject({
      version: 2,
      name: 'quiet, revised',
    });
  });

  it('refuses a bad policy with field paths (400), a bad segment name, and non-managers (403); nothing written', async () => {
    const before = await snapshot(h);
    const bad = await as(h, 'manager')
      .put('/v1/policies/standard')
      .send({
        name: 'x',
        steps: [
          { stage: 'REMINDER', offset: 'seven days', channels: [], template: 'r' },
          { stage: 'PRE_DUE', offset: '-P1D', channels: ['EMAIL'], template: 'c' },
        ],
        settings: { ...secondsSettings, timezone: 'Mars/Olympus' },
      });
    expect(bad.status).toBe(400);
    const paths = (bad.body.error.fields as Array<{ path: string }>).map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['steps.0.offset', 'steps.0.channels', 'steps.1.stage', 'settings.timezone']),
    );
    expect((await as(h, 'manager').put(`/v1/policies/Bad'Segment`).send(body('P1D'))).status).toBe(400);
    expect((await as(h, 'collector').put('/v1/policies/standard').send(body('P1D'))).status).toBe(403);
    expect((await as(h, 'erp').get('/v1/policies')).status).toBe(403);
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('customer 360 and contacts', () => {
  it('shows invoices and stages, exposure, promises and disputes; collectors only their own customers', async () => {
    const customerId = uniq('CUST');
    const a = await newInvoice(h, segment, { customerId, amountMinor: 200_000, dueInDays: -5 });
    await newInvoice(h, segment, { customerId, amountMinor: 300_000, dueInDays: 10 });
    await as(h, 'collector')
      .post(`/v1/invoices/${a.invoiceId}/promise`)
      .send({ promisedDate: isoDaysFromToday(3) });
    // Recording the promise makes the workflow recompute the customer's rating (C until then).
    const rated = await eventually(
      async () => (await h.db.customerRating.findUnique({ where: { customerId: a.customerId } }))?.rating,
      30_000,
    );
    const res = await as(h, 'collector').get(`/v1/customers/${customerId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ externalId: customerId, rating: rated, collectorId: 'u-giulia' });
    expect(res.body.invoices).toHaveLength(2);
    expect(res.body.exposure).toEqual([
      { currency: 'EUR', openMinor: 500_000, overdueMinor: 200_000, openInvoices: 2 },
    ]);
    expect(res.body.stages).toBeDefined();
    expect(res.body.promises).toHaveProperty('kept');
    expect((await as(h, 'collector2').get(`/v1/customers/${customerId}`)).status).toBe(403);
    expect((await as(h, 'manager').get(`/v1/customers/${a.customerId}`)).status).toBe(200);
    expect((await as(h, 'manager').get(`/v1/customers/${uniq('none')}`)).status).toBe(404);
  });

  it('records notes and call logs (once per Idempotency-Key) and lists them newest first', async () => {
    const inv = await newInvoice(h, segment);
    const note = await as(h, 'collector')
      .post(`/v1/customers/${inv.customerId}/contacts`)
      .set('Idempotency-Key', 'note-1')
      .send({ kind: 'NOTE', body: 'Il cliente chiede copia della fattura', invoiceId: inv.number });
    expect(note.status).toBe(201);
    const again = await as(h, 'collector')
      .post(`/v1/customers/${inv.customerId}/contacts`)
      .set('Idempotency-Key', 'note-1')
      .send({ kind: 'NOTE', body: 'Il cliente chiede copia della fattura', invoiceId: inv.number });
    expect(again.status).toBe(200);
    const call = await as(h, 'collector')
      .post(`/v1/customers/${inv.customerId}/contacts`)
      .send({ kind: 'CALL_LOG', body: 'Nessuna risposta', outcome: 'NO_ANSWER' });
    expect(call.status).toBe(201);
    const badInvoice = await as(h, 'collector')
      .post(`/v1/customers/${inv.customerId}/contacts`)
      .send({ kind: 'NOTE', body: 'x', invoiceId: uniq('other') });
    expect(badInvoice.status).toBe(400);
    const list = await as(h, 'collector').get(`/v1/customers/${inv.customerId}/contacts`);
    expect(list.status).toBe(200);
    const mine = (list.body.items as Array<{ channel: string }>).filter(
      (c) => c.channel === 'NOTE' || c.channel === 'CALL_LOG',
    );
    expect(mine.map((c) => c.channel)).toEqual(['CALL_LOG', 'NOTE']);
    expect(
      (await as(h, 'collector2').post(`/v1/customers/${inv.customerId}/contacts`).send({ kind: 'NOTE', body: 'x' }))
        .status,
    ).toBe(403);
  });

  it('stores an uploaded document under the data directory by its SHA-256; refuses other types', async () => {
    const inv = await newInvoice(h, segment);
    const pdf = Buffer.from('%PDF-1.4\n% contestazione firmata\n%%EOF\n');
    const sha = crypto.createHash('sha256').update(pdf).digest('hex');
    const res = await as(h, 'collector')
      .post(`/v1/customers/${inv.customerId}/contacts`)
      .field('kind', 'DOCUMENT')
      .field('invoiceId', inv.invoiceId)
      .attach('file', pdf, { filename: 'contestazione.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(201);
    expect(res.body.document).toMatchObject({
      sha256: sha,
      sizeBytes: pdf.length,
      filename: 'contestazione.pdf',
      invoiceId: inv.invoiceId,
    });
    const row = await h.db.document.findUniqueOrThrow({ where: { id: res.body.document.documentId as string } });
    expect(row.path.startsWith(h.dataDir)).toBe(true);
    expect(crypto.createHash('sha256').update(fs.readFileSync(row.path)).digest('hex')).toBe(sha);
    const dup = await as(h, 'collector')
      .post(`/v1/customers/${inv.customerId}/contacts`)
      .field('kind', 'DOCUMENT')
      .field('invoiceId', inv.invoiceId)
      .attach('file', pdf, { filename: 'again.pdf', contentType: 'application/pdf' });
    expect(dup.status).toBe(200);
    const before = await snapshot(h);
    const exe = await as(h, 'collector')
      .post(`/v1/customers/${inv.customerId}/contacts`)
      .field('kind', 'DOCUMENT')
      .attach('file', Buffer.from('MZ....'), { filename: 'virus.exe', contentType: 'application/x-msdownload' });
    expect(exe.status).toBe(400);
    const badField = await as(h, 'collector')
      .post(`/v1/customers/${inv.customerId}/contacts`)
      .field('kind', 'DOCUMENT')
      .field('surprise', 'x')
      .attach('file', Buffer.from('hello'), { filename: 'a.txt', contentType: 'text/plain' });
    expect(badField.status).toBe(400);
    expect(await snapshot(h)).toEqual(before);
  });

  it('serves a letter’s PDF to the invoice’s collector only', async () => {
    const inv = await newInvoice(h, segment);
    const dir = path.join(h.dataDir, 'letters', inv.customerId);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'sollecito.pdf');
    const pdf = Buffer.from('%PDF-1.4\n% sollecito\n%%EOF\n');
    fs.writeFileSync(file, pdf);
    const letter = await h.db.letter.create({
      data: {
        idempotencyKey: uniq('letter'),
        customerId: inv.customerId,
        invoiceId: inv.invoiceId,
        invoiceIds: [inv.invoiceId],
        template: 'reminder-2',
        language: 'it',
        path: file,
        sha256: crypto.createHash('sha256').update(pdf).digest('hex'),
        sizeBytes: pdf.length,
      },
    });
    const res = await as(h, 'collector').get(`/v1/invoices/${inv.invoiceId}/letters/${letter.id}`).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(Buffer.from(res.body as Buffer).equals(pdf)).toBe(true);
    expect((await as(h, 'collector2').get(`/v1/invoices/${inv.invoiceId}/letters/${letter.id}`)).status).toBe(403);
    const other = await newInvoice(h, segment);
    expect((await as(h, 'manager').get(`/v1/invoices/${other.invoiceId}/letters/${letter.id}`)).status).toBe(404);
    const detail = await as(h, 'manager').get(`/v1/invoices/${inv.invoiceId}`);
    expect(detail.body.letters[0]).toMatchObject({
      letterId: letter.id,
      href: `/v1/invoices/${inv.invoiceId}/letters/${letter.id}`,
    });
  });
});
