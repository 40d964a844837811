/**
 * The salesperson against the real API, worker, Temporal and PostgreSQL: sees only their customers' invoices and
 * customers (list, detail, state, 360), writes nothing, and asks for a pause of dunning with a reason and an end
 * date — an APPROVE_PAUSE task on the approvals list, which a credit manager approves: the same pause update a
 * manager would send, the invoice paused until the end of that day, audited with both names. A declined request
 * leaves dunning alone.
 */
import request from 'supertest';
import { as, newInvoice, quietSegment } from './api-helpers';
import { isoDaysFromToday, startHarness, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
let mine: Awaited<ReturnType<typeof newInvoice>>;
let other: Awaited<ReturnType<typeof newInvoice>>;
let third: Awaited<ReturnType<typeof newInvoice>>;

beforeAll(async () => {
  h = await startHarness();
  const segment = await quietSegment(h);
  await h.startWorker();
  mine = await newInvoice(h, segment); // its customer is followed by Paolo (u-paolo)
  third = await newInvoice(h, segment);
  other = await newInvoice(h, segment);
  await h.db.customer.update({ where: { id: other.customerId }, data: { salespersonId: null } });
});

afterAll(async () => {
  await h?.close();
});

describe('a salesperson reads their customers only', () => {
  it('lists and opens their customers’ invoices and customers; another customer is 403', async () => {
    const list = await as(h, 'salesperson').get('/v1/invoices?pageSize=200');
    expect(list.status).toBe(200);
    const ids = list.body.items.map((i: { invoiceId: string }) => i.invoiceId);
    expect(ids).toContain(mine.invoiceId);
    expect(ids).not.toContain(other.invoiceId);
    // Asking for another salesperson's customers through the filter changes nothing.
    const filtered = await as(h, 'salesperson').get('/v1/invoices?salesperson=u-someone-else&pageSize=200');
    expect(filtered.body.items.map((i: { invoiceId: string }) => i.invoiceId)).toContain(mine.invoiceId);

    expect((await as(h, 'salesperson').get(`/v1/invoices/${mine.invoiceId}`)).status).toBe(200);
    expect((await as(h, 'salesperson').get(`/v1/invoices/${mine.invoiceId}/state`)).status).toBe(200);
    expect((await as(h, 'salesperson').get(`/v1/customers/${mine.customerId}`)).status).toBe(200);
    for (const url of [
      `/v1/invoices/${other.invoiceId}`,
      `/v1/invoices/${other.invoiceId}/state`,
      `/v1/customers/${other.customerId}`,
    ]) {
      const res = await as(h, 'salesperson').get(url);
      expect([url, res.status, res.body.error.code]).toEqual([url, 403, 'FORBIDDEN']);
    }
  });

  it('writes nothing: every decision, note, task and import is 403, and nothing is written', async () => {
    const before = await h.db.auditEvent.count();
    const attempts: Array<[string, object]> = [
      [`/v1/invoices/${mine.invoiceId}/promise`, { amountMinor: 1000, promisedDate: isoDaysFromToday(5) }],
      [`/v1/invoices/${mine.invoiceId}/pause`, { reason: 'cliente in trattativa' }],
      [`/v1/invoices/${mine.invoiceId}/dispute`, { reasonCode: 'PRICE', note: 'x' }],
      [`/v1/customers/${mine.customerId}/contacts`, { kind: 'NOTE', text: 'x' }],
      ['/v1/invoices', {}],
      ['/v1/imports', {}],
    ];
    for (const [url, body] of attempts) {
      const res = await as(h, 'salesperson').post(url).send(body);
      expect([url, res.status]).toEqual([url, 403]);
    }
    expect((await as(h, 'salesperson').get('/v1/agenda')).status).toBe(403);
    expect((await as(h, 'salesperson').get('/v1/reports/dso')).status).toBe(403);
    expect(await h.db.auditEvent.count()).toBe(before);
  });
});

describe('a pause asked by a salesperson, approved by a credit manager', () => {
  it('goes from the request to an approval task to a paused invoice, audited with both names', async () => {
    // Signed in like anyone else: the session cookie and its CSRF token.
    const signIn = await request(h.app)
      .post('/auth/sign-in')
      .send({ email: 'paolo.greco@segugio.example', password: 'dev-paolo-password' });
    expect([signIn.status, signIn.body.role]).toEqual([200, 'salesperson']);
    const cookie = ([] as string[]).concat(signIn.headers['set-cookie'])[0].split(';')[0];
    const ask = (invoiceId: string, body: object) =>
      request(h.app)
        .post(`/v1/invoices/${invoiceId}/pause-requests`)
        .set('Cookie', cookie)
        .set('X-CSRF-Token', signIn.body.csrfToken)
        .send(body);

    const until = isoDaysFromToday(14);
    const past = await ask(mine.invoiceId, { reason: 'rinnovo contratto in corso', until: isoDaysFromToday(0) });
    expect([past.status, past.body.error.fields[0]]).toEqual([
      400,
      expect.objectContaining({ path: 'until', code: 'date_not_after' }),
    ]);
    const far = await ask(mine.invoiceId, { reason: 'x', until: isoDaysFromToday(120) });
    expect([far.status, far.body.error.fields[0].code]).toEqual([400, 'date_too_far']);
    expect((await ask(other.invoiceId, { reason: 'x', until })).status).toBe(403);
    const noReason = await ask(mine.invoiceId, { until });
    expect([noReason.status, noReason.body.error.fields[0].path]).toEqual([400, 'reason']);

    const asked = await ask(mine.invoiceId, { reason: 'Rinnovo del contratto quadro in firma', until });
    expect(asked.status).toBe(201);
    const requestId = asked.body.request.id as string;
    expect(asked.body.request).toMatchObject({ status: 'PENDING', until });
    const again = await ask(mine.invoiceId, { reason: 'ancora', until });
    expect([again.status, again.body.error.code]).toEqual([409, 'PAUSE_REQUEST_PENDING']);
    // Nothing changed in the workflow yet.
    const stateBefore = await as(h, 'manager').get(`/v1/invoices/${mine.invoiceId}/state?live=true`);
    expect(stateBefore.body.state.paused).toBeNull();

    const approvals = await as(h, 'manager').get('/console/api/approvals');
    const item = approvals.body.items.find((i: { kind: string; requestId?: string }) => i.requestId === requestId);
    expect(item).toMatchObject({
      kind: 'pause',
      invoiceId: mine.invoiceId,
      number: mine.number,
      reason: 'Rinnovo del contratto quadro in firma',
      until,
      requestedBy: 'Paolo Greco',
    });
    const task = await h.db.task.findUniqueOrThrow({ where: { id: item.taskId } });
    expect([task.kind, task.status]).toEqual(['APPROVE_PAUSE', 'OPEN']);

    // Only a credit manager decides.
    for (const role of ['salesperson', 'collector'] as const)
      expect((await as(h, role).post(`/v1/pause-requests/${requestId}/approve`).send({})).status).toBe(403);
    const approved = await as(h, 'manager')
      .post(`/v1/pause-requests/${requestId}/approve`)
      .send({ note: 'ok fino al rinnovo' });
    expect(approved.status).toBe(200);
    expect(approved.body.request.status).toBe('APPROVED');
    expect(approved.body.state.paused).toMatchObject({ reason: 'Rinnovo del contratto quadro in firma' });
    // Paused until the end of the asked day in the business time zone (Europe/Rome).
    const pausedUntil = new Date(approved.body.state.paused.until);
    expect(pausedUntil.toLocaleDateString('sv-SE', { timeZone: 'Europe/Rome' })).toBe(isoDaysFromToday(15));
    expect(pausedUntil.toLocaleTimeString('sv-SE', { timeZone: 'Europe/Rome' })).toBe('00:00:00');

    const live = await as(h, 'manager').get(`/v1/invoices/${mine.invoiceId}/state?live=true`);
    expect(live.body.state.paused).toMatchObject({ until: pausedUntil.toISOString() });
    expect((await h.db.task.findUniqueOrThrow({ where: { id: item.taskId } })).status).toBe('DONE');
    const audit = await h.db.auditEvent.findFirstOrThrow({
      where: { action: 'approval.pause.approve', entityId: mine.invoiceId },
    });
    expect(audit.actorId).toBe('u-laura');
    expect(audit.after).toMatchObject({
      requestId,
      requestedBy: { id: 'u-paolo', name: 'Paolo Greco' },
      decidedBy: { id: 'u-laura', name: 'Laura Conti' },
      note: 'ok fino al rinnovo',
    });
    const requested = await h.db.auditEvent.findFirstOrThrow({
      where: { action: 'approval.pause.request', entityId: mine.invoiceId },
    });
    expect([requested.actorId, requested.role, requested.apiKeyId]).toEqual(['u-paolo', 'salesperson', null]);
    // The salesperson sees the pause on the invoice they follow.
    const seen = await as(h, 'salesperson').get(`/v1/invoices/${mine.invoiceId}`);
    expect(seen.body.timeline.some((e: { event: { type: string } }) => /pause/i.test(e.event.type))).toBe(true);
    // Decided once.
    const twice = await as(h, 'manager').post(`/v1/pause-requests/${requestId}/approve`).send({});
    expect(twice.status).toBe(409);
    expect(
      (await as(h, 'manager').get('/console/api/approvals')).body.items.some(
        (i: { requestId?: string }) => i.requestId === requestId,
      ),
    ).toBe(false);
  });

  it('a declined request changes nothing in the workflow', async () => {
    const asked = await as(h, 'salesperson')
      .post(`/v1/invoices/${third.invoiceId}/pause-requests`)
      .send({ reason: 'cliente strategico', until: isoDaysFromToday(7) });
    expect(asked.status).toBe(201);
    const declined = await as(h, 'manager').post(`/v1/pause-requests/${asked.body.request.id}/decline`).send({});
    expect([declined.status, declined.body.request.status]).toEqual([200, 'DECLINED']);
    const live = await as(h, 'manager').get(`/v1/invoices/${third.invoiceId}/state?live=true`);
    expect(live.body.state.paused).toBeNull();
    expect(
      await h.db.auditEvent.count({ where: { action: 'approval.pause.decline', entityId: third.invoiceId } }),
    ).toBe(1);
  });
});
