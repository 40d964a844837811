/**
 * The debtor's portal against the real app, worker, PostgreSQL and Temporal dev server (no browser): one live link
 * per customer however many sends race for it, expiry pushed by each message, a new link after revocation; forms
 * refused without their CSRF token (nothing written); "I have already paid" opens a collector's task and pauses the
 * invoice; new contact details wait for the collector; plans are the credit manager's; unknown tokens are slowed down
 * per address; the access log never holds a token.
 */
import request from 'supertest';
import { loggedPath } from '../../api/access-log';
import { csrfTokenOf, linkForMessage } from '../../contexts/portal/links';
import { invoiceStateQuery, invoiceWorkflowId } from '../../workflows/contract';
import { as, newInvoice, quietSegment } from './api-helpers';
import { isoDaysFromToday, startHarness, uniq, type Harness } from './harness';
import { createApp } from '../../api/app';
import { createLogger } from '../../infra/logger';

jest.setTimeout(120_000);

let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness({ env: { PORTAL_BASE_URL: 'https://pay.segugio.example', PORTAL_LINK_TTL_DAYS: '30' } });
  segment = await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

/** A cookie-carrying client of the portal, signed in through the link like a browser. */
async function debtor(token: string) {
  const agent = request.agent(h.app);
  const res = await agent.get(`/p/${token}`);
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/portal/');
  expect(String(res.headers['set-cookie'])).toMatch(/sg_portal=[a-z2-7]{26}; Path=\/portal; HttpOnly; SameSite=Lax/);
  return agent;
}

/** The form id and CSRF token of the page, as a browser would submit them. */
async function formTokens(agent: ReturnType<typeof request.agent>) {
  const page = await agent.get('/portal/');
  expect(page.status).toBe(200);
  return {
    csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1],
    form: /name="_form" value="([^"]+)"/.exec(page.text)![1],
    html: page.text,
  };
}

describe('portal links', () => {
  it('converges on one live link per customer, pushes its expiry with each message, mints anew after revocation', async () => {
    const inv = await newInvoice(h, segment);
    const t0 = new Date();
    const links = await Promise.all(
      Array.from({ length: 5 }, () => linkForMessage({ db: h.db, config: h.config }, inv.customerId, t0)),
    );
    expect(new Set(links.map((l) => l!.token)).size).toBe(1);
    expect(links[0]!.url).toBe(`https://pay.segugio.example/p/${links[0]!.token}`);
    expect(await h.db.portalLink.count({ where: { customerId: inv.customerId } })).toBe(1);

    const later = new Date(t0.getTime() + 10 * 86_400_000);
    const again = await linkForMessage({ db: h.db, config: h.config }, inv.customerId, later);
    expect(again!.token).toBe(links[0]!.token);
    const row = await h.db.portalLink.findUniqueOrThrow({ where: { id: again!.linkId } });
    expect(row.expiresAt.getTime()).toBe(later.getTime() + 30 * 86_400_000);

    const revoke = await as(h, 'collector')
      .post(`/v1/customers/${inv.customerId}/portal-links/${row.id}/revoke`)
      .send({});
    expect(revoke.status).toBe(200);
    const foreignCollector = await as(h, 'collector2')
      .post(`/v1/customers/${inv.customerId}/portal-links/${row.id}/revoke`)
      .send({});
    expect(foreignCollector.status).toBe(403);
    expect((await request(h.app).get(`/p/${again!.token}`)).status).toBe(404);
    const fresh = await linkForMessage({ db: h.db, config: h.config }, inv.customerId, new Date());
    expect(fresh!.token).not.toBe(again!.token);
    expect(
      await h.db.auditEvent.count({ where: { action: 'portal.link.revoke', entityId: row.id, role: 'collector' } }),
    ).toBe(1);
  });

  it('answers a wrong token and a missing cookie with the same neutral page, and slows down guessing', async () => {
    const limited = createApp({
      db: h.db,
      temporal: h.client,
      config: { ...h.config, PORTAL_RATE_LIMIT_PER_MINUTE: 30 },
      log: createLogger('silent', 't'),
    });
    const a = await request(limited).get(`/p/${'b'.repeat(26)}`);
    const b = await request(limited).get('/portal/');
    expect(a.status).toBe(404);
    expect([b.status, b.text]).toEqual([a.status, a.text]);
    expect(a.headers['content-security-policy']).toContain("default-src 'none'");
    expect(a.headers['referrer-policy']).toBe('no-referrer');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await request(limited).get(`/p/${'c'.repeat(26)}`)).status);
    expect(statuses).toContain(429);
  });

  it('never logs a token: the access log writes /p/[token]', () => {
    expect(loggedPath('/p/abcdefghijklmnopqrstuvwxyz?x=1')).toBe('/p/[token]');
    expect(loggedPath('/portal/letters/1')).toBe('/portal/letters/1');
  });
});

describe('portal forms', () => {
  it('refuses a form without its CSRF token (403) and writes nothing', async () => {
    const inv = await newInvoice(h, segment);
    const link = await linkForMessage({ db: h.db, config: h.config }, inv.customerId, new Date());
    const agent = await debtor(link!.token);
    const { form } = await formTokens(agent);
    const before = await h.db.auditEvent.count();
    const res = await agent
      .post('/portal/promise')
      .type('form')
      .send({ _csrf: 'forged', _form: form, invoiceId: inv.invoiceId, promisedDate: isoDaysFromToday(5) });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Il modulo è scaduto');
    expect(await h.db.auditEvent.count()).toBe(before);
    const state = await h.client.workflow.getHandle(inv.workflowId).query(invoiceStateQuery);
    expect(state.promise).toBeNull();
    // Another link's token does not pass either.
    const other = await newInvoice(h, segment);
    const otherLink = await linkForMessage({ db: h.db, config: h.config }, other.customerId, new Date());
    const crossed = await agent
      .post('/portal/promise')
      .type('form')
      .send({
        _csrf: csrfTokenOf(h.config, otherLink!.linkId),
        _form: form,
        invoiceId: inv.invoiceId,
        promisedDate: isoDaysFromToday(5),
      });
    expect(crossed.status).toBe(403);
  });

  it('"I have already paid": a verification task for the collector and a pause of the policy time', async () => {
    const inv = await newInvoice(h, segment, { collectorId: 'u-giulia' });
    const link = await linkForMessage({ db: h.db, config: h.config }, inv.customerId, new Date());
    const agent = await debtor(link!.token);
    const { csrf, form } = await formTokens(agent);
    const res = await agent
      .post('/portal/paid')
      .field('_csrf', csrf)
      .field('_form', form)
      .field('invoiceId', inv.invoiceId)
      .field('paidOn', isoDaysFromToday(-1))
      .attach('file', Buffer.from('%PDF-1.4\n%%EOF\n'), { filename: 'contabile.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(303);
    const req = await h.db.portalRequest.findFirstOrThrow({
      where: { invoiceId: inv.invoiceId, kind: 'PAYMENT_CLAIM' },
    });
    expect(req.documentId).not.toBeNull();
    const task = await h.db.task.findUniqueOrThrow({ where: { id: req.taskId! } });
    expect(task).toMatchObject({ kind: 'VERIFY_PAYMENT', assigneeId: 'u-giulia', status: 'OPEN' });
    const state = await h.client.workflow.getHandle(invoiceWorkflowId(inv.invoiceId)).query(invoiceStateQuery);
    expect(state.paused).not.toBeNull();
    // Default paidClaimPause: five days.
    const days = (Date.parse(state.paused!.until!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(4.9);
    expect(days).toBeLessThanOrEqual(5);
    // The same form sent twice is one request.
    await agent
      .post('/portal/paid')
      .field('_csrf', csrf)
      .field('_form', form)
      .field('invoiceId', inv.invoiceId)
      .field('paidOn', '');
    expect(await h.db.portalRequest.count({ where: { invoiceId: inv.invoiceId, kind: 'PAYMENT_CLAIM' } })).toBe(1);
    // The collector confirms it from the API (the task closes).
    const ok = await as(h, 'collector').post(`/v1/portal/requests/${req.id}/approve`).send({});
    expect(ok.status).toBe(200);
    expect((await h.db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('DONE');
  });

  it('new contact details wait for the collector; a plan waits for a manager, not a collector', async () => {
    const inv = await newInvoice(h, segment, { collectorId: 'u-giulia', amountMinor: 600_000 });
    const link = await linkForMessage({ db: h.db, config: h.config }, inv.customerId, new Date());
    const agent = await debtor(link!.token);
    let t = await formTokens(agent);
    const contact = await agent
      .post('/portal/contact')
      .type('form')
      .send({ _csrf: t.csrf, _form: t.form, email: 'nuova@cliente.example', phone: '', addressLine: '', city: '' });
    expect(contact.status).toBe(303);
    const before = await h.db.customer.findUniqueOrThrow({ where: { id: inv.customerId } });
    expect(before.email).toBe('amministrazione@ferramenta.example');
    const creq = await h.db.portalRequest.findFirstOrThrow({ where: { customerId: inv.customerId, kind: 'CONTACT' } });
    expect(creq.payload).toEqual({ email: 'nuova@cliente.example' });
    expect((await as(h, 'collector2').post(`/v1/portal/requests/${creq.id}/approve`).send({})).status).toBe(403);
    expect((await as(h, 'collector').post(`/v1/portal/requests/${creq.id}/approve`).send({})).status).toBe(200);
    expect((await h.db.customer.findUniqueOrThrow({ where: { id: inv.customerId } })).email).toBe(
      'nuova@cliente.example',
    );

    t = await formTokens(agent);
    const tooMany = await agent
      .post('/portal/plan')
      .type('form')
      .send({
        _csrf: t.csrf,
        _form: t.form,
        invoiceId: inv.invoiceId,
        instalments: '99',
        firstDate: isoDaysFromToday(5),
      });
    expect(tooMany.status).toBe(422);
    expect(tooMany.text).toContain('Al massimo 24 rate.');
    const plan = await agent
      .post('/portal/plan')
      .type('form')
      .send({
        _csrf: t.csrf,
        _form: t.form,
        invoiceId: inv.invoiceId,
        instalments: '4',
        firstDate: isoDaysFromToday(5),
      });
    expect(plan.status).toBe(303);
    const preq = await h.db.portalRequest.findFirstOrThrow({ where: { invoiceId: inv.invoiceId, kind: 'PLAN' } });
    const instalments = (preq.payload as { instalments: Array<{ amountMinor: number }> }).instalments;
    expect(instalments.map((i) => i.amountMinor)).toEqual([150_000, 150_000, 150_000, 150_000]);
    expect((await as(h, 'collector').post(`/v1/portal/requests/${preq.id}/approve`).send({})).status).toBe(403);
    const approved = await as(h, 'manager').post(`/v1/portal/requests/${preq.id}/approve`).send({});
    expect(approved.status).toBe(200);
    expect(approved.body.state.plan.instalments).toHaveLength(4);
    expect((await as(h, 'manager').post(`/v1/portal/requests/${preq.id}/approve`).send({})).status).toBe(409);
  });

  it('shows only the customer’s own data: another customer’s invoice id is refused like an unknown one', async () => {
    const mine = await newInvoice(h, segment);
    const theirs = await newInvoice(h, segment, { customerId: uniq('OTHER') });
    const link = await linkForMessage({ db: h.db, config: h.config }, mine.customerId, new Date());
    const agent = await debtor(link!.token);
    const { csrf, form, html } = await formTokens(agent);
    expect(html).toContain(mine.number);
    expect(html).not.toContain(theirs.number);
    const res = await agent
      .post('/portal/promise')
      .type('form')
      .send({ _csrf: csrf, _form: form, invoiceId: theirs.invoiceId, promisedDate: isoDaysFromToday(5) });
    expect(res.status).toBe(404);
    const state = await h.client.workflow.getHandle(theirs.workflowId).query(invoiceStateQuery);
    expect(state.promise).toBeNull();
  });
});
