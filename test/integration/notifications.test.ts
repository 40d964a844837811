/**
 * Notifications to our own users on the real stack: the real worker and workflows, the real Temporal Schedules
 * (triggered by hand so each run is a known moment), PostgreSQL, and the official SendGrid SDK against a local fake
 * SendGrid. Each notification is sent once at its moment — with the worker stopped and a new one started in between —
 * in the recipient's language; the collector's digest carries the seeded agenda and goes out at its hour only.
 */
import request from 'supertest';
import { createNotificationActivities } from '../../activities/notifications';
import { createLogger } from '../../infra/logger';
import { zonedInstant } from '../../domain/calendar';
import { localDate } from '../../domain/calendar';
import { ensureNotificationSchedules } from '../../contexts/notifications/schedule';
import { as, invoiceBody } from './api-helpers';
import { createTestPolicy, eventually, secondsSettings, startHarness, uniq, type Harness } from './harness';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid-server';

jest.setTimeout(240_000);

const SG_KEY = 'SG.notify-test';
let h: Harness;
let sg: FakeSendGrid;
let prefix: string;
const TZ = 'Europe/Rome';

const users = {
  sales: uniq('u-sales'),
  collector: uniq('u-coll'),
  manager: uniq('u-mgr'),
};

beforeAll(async () => {
  sg = await startFakeSendGrid(SG_KEY);
  h = await startHarness({
    env: {
      SENDGRID_API_KEY: SG_KEY,
      SENDGRID_BASE_URL: sg.url,
      NOTIFY_STEP_LEAD: 'P3D',
      NOTIFY_APPROVAL_REMINDER: 'PT4S',
      SEGUGIO_TZ: TZ,
    },
  });
  await h.db.user.createMany({
    data: [
      {
        id: users.sales,
        name: 'Sophie Martin',
        email: `${users.sales}@sales.example`,
        role: 'salesperson',
        language: 'fr',
      },
      {
        id: users.collector,
        name: 'Chris Hall',
        email: `${users.collector}@coll.example`,
        role: 'collector',
        language: 'en',
      },
      { id: users.manager, name: 'Laura Neri', email: `${users.manager}@mgr.example`, role: 'manager', language: 'it' },
    ],
  });
  prefix = `${uniq('it')}-`;
  // The schedules of this file, on its own task queue; runs are triggered by hand (the hourly digest's own firing at
  // a full hour would only plan what the test plans itself).
  await ensureNotificationSchedules(h.client, h.taskQueue, { everySeconds: 3600, timeZone: TZ, idPrefix: prefix });
  await h.startWorker();
});

afterAll(async () => {
  for (const id of ['segugio-notifications', 'segugio-collector-digest'])
    await h?.client.schedule
      .getHandle(`${prefix}${id}`)
      .delete()
      .catch(() => undefined);
  await h?.close();
  await sg?.close();
});

/** Triggers a schedule and waits for the run it started to complete. */
async function run(schedule: 'segugio-notifications' | 'segugio-collector-digest'): Promise<void> {
  const handle = h.client.schedule.getHandle(`${prefix}${schedule}`);
  const before = (await handle.describe()).info.recentActions.length;
  await handle.trigger();
  const action = await eventually(async () => {
    const d = await handle.describe();
    return d.info.recentActions.length > before ? d.info.recentActions[d.info.recentActions.length - 1] : null;
  });
  await h.client.workflow
    .getHandle(action.action.workflow.workflowId, action.action.workflow.firstExecutionRunId)
    .result();
}

const mailsTo = (userId: string) => sg.mails.filter((m) => m.body.personalizations[0].to[0].email.startsWith(userId));
const rows = (where: Record<string, unknown>) => h.db.notification.findMany({ where, orderBy: { createdAt: 'asc' } });

describe('salesperson and credit manager', () => {
  it('each notification once, at its moment, across a worker restart, in the recipient’s language', async () => {
    // Block at once (the invoice is 10 days overdue), formal notice one day later, legal approval after it.
    const segment = await createTestPolicy(h.db, {
      name: 'notify',
      steps: [
        { stage: 'ORDER_BLOCK', offset: 'PT1S', channels: ['TASK'], template: 'order-block' },
        { stage: 'FORMAL_NOTICE', offset: 'P1D', channels: ['EMAIL'], template: 'formal-notice' },
        { stage: 'LEGAL', offset: 'P30D', channels: ['TASK'], template: 'legal', requiresApproval: true },
      ],
      settings: secondsSettings,
    });
    const body = invoiceBody(segment, { amountMinor: 1_234_550 });
    body.customer.salespersonId = users.sales;
    const created = await as(h, 'erp').post('/v1/invoices').send(body);
    expect(created.status).toBe(201);
    const invoiceId = created.body.invoiceId as string;
    const invoice = await h.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
    const customerId = invoice.customerId;

    // The mirror shows the block (the customer workflow's ERP request) and the formal notice ahead.
    await eventually(() =>
      h.db.contactEvent.findFirst({
        where: { customerId, channel: 'ERP', template: 'BLOCK_CUSTOMER', status: 'QUEUED' },
      }),
    );
    const ahead = await eventually(async () => {
      const i = await h.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
      return i.nextActionKind === 'FORMAL_NOTICE' ? i : null;
    });
    // A broken promise as the workflow mirrors it, and an approval waiting, named to this file's credit manager.
    const promise = await h.db.paymentPromise.create({
      data: {
        key: `${invoiceId}:promise#test`,
        invoiceId,
        promisedDate: new Date(`${localDate(new Date(Date.now() - 86_400_000), TZ)}T00:00:00Z`),
        amountMinor: 500_000n,
        status: 'BROKEN',
        recordedBy: 'u-giulia',
        resolvedAt: new Date(),
      },
    });
    const task = await h.db.task.create({
      data: {
        idempotencyKey: uniq('approve'),
        kind: 'APPROVE_LEGAL',
        invoiceId,
        customerId,
        assigneeId: users.manager,
        dueAt: new Date(Date.now() + 5 * 86_400_000),
      },
    });

    await run('segugio-notifications');
    const first = await rows({ OR: [{ customerId }, { taskId: task.id }] });
    expect(first.map((r) => [r.kind, r.userId, r.status]).sort()).toEqual(
      [
        ['approval', users.manager, 'SENT'],
        ['order-block', users.sales, 'SENT'],
        ['promise-broken', users.sales, 'SENT'],
        ['step-ahead', users.sales, 'SENT'],
      ].sort(),
    );
    // The invoice's timeline tells a credit manager who was told what (name and role, never the colleague's address).
    const detail = await as(h, 'manager').get(`/v1/invoices/${invoiceId}`);
    expect(detail.status).toBe(200);
    const told = (
      detail.body.timeline as Array<{ kind: string; event: { type: string; params: Record<string, unknown> } }>
    )
      .filter((e) => e.kind === 'NOTIFICATION')
      .map((e) => [e.event.type, e.event.params.notice, e.event.params.role, e.event.params.status]);
    expect(told.sort()).toEqual(
      [
        ['notification', 'approval', 'manager', 'SENT'],
        ['notification', 'order-block', 'salesperson', 'SENT'],
        ['notification', 'promise-broken', 'salesperson', 'SENT'],
        ['notification', 'step-ahead', 'salesperson', 'SENT'],
      ].sort(),
    );
    const salesUser = await h.db.user.findUniqueOrThrow({ where: { id: users.sales } });
    expect(JSON.stringify(detail.body.timeline)).not.toContain(String(salesUser.email));
    // In French for the salesperson, with the date and the amount in the French way; in Italian for the manager.
    const sales = mailsTo(users.sales);
    expect(sales).toHaveLength(3);
    const subjects = sales.map((m) => m.body.subject).sort();
    expect(subjects).toEqual(
      [
        `[Segugio] Commandes bloquées : ${body.customer.name}`,
        `[Segugio] Promesse de paiement non tenue : ${body.customer.name}`,
        `[Segugio] À venir, la mise en demeure : ${body.customer.name}, facture ${body.number}`,
      ].sort(),
    );
    const aheadMail = sales.find((m) => m.body.subject.includes('mise en demeure'))!;
    const aheadText = aheadMail.body.content.find((c) => c.type === 'text/plain')!.value;
    const frDate = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: TZ }).format(
      ahead.nextActionAt!,
    );
    expect(aheadText).toContain(`prévue le ${frDate}`);
    expect(aheadText).toMatch(/12\s345,50\s€/);
    expect(
      aheadMail.body.custom_args?.segugio_key ?? aheadMail.body.personalizations[0].custom_args?.segugio_key,
    ).toMatch(/^notify:step-ahead:/);
    // Other test files share this stack and open legal approvals of their own, which go to every credit manager
    // too: count only the mails about this test's task.
    const managerMails = async () => {
      const ids = new Set((await rows({ taskId: task.id })).map((r) => r.id));
      return mailsTo(users.manager).filter((m) =>
        ids.has(String(m.body.custom_args?.notification_id ?? m.body.personalizations[0].custom_args?.notification_id)),
      );
    };
    const aboutTask = async (): Promise<string[]> => (await managerMails()).map((m) => m.body.subject);
    expect(await aboutTask()).toEqual(['[Segugio] Approvazione in attesa: Approvazione azione legale']);

    // The worker stops; while it is down a plan defaults. A new worker then serves the run triggered meanwhile.
    await h.stopWorker();
    await h.db.repaymentPlan.create({
      data: {
        key: `${invoiceId}:plan#test`,
        invoiceId,
        status: 'DEFAULTED',
        instalments: [],
        proposedBy: 'u-giulia',
        endedAt: new Date(),
      },
    });
    const handle = h.client.schedule.getHandle(`${prefix}segugio-notifications`);
    await handle.trigger();
    await new Promise((r) => setTimeout(r, 4_500)); // past NOTIFY_APPROVAL_REMINDER
    await h.startWorker();
    await eventually(async () => (await rows({ customerId, kind: 'plan-broken', status: 'SENT' })).length === 1);
    await eventually(async () => {
      const d = await handle.describe();
      const last = d.info.recentActions[d.info.recentActions.length - 1];
      const desc = await h.client.workflow.getHandle(last.action.workflow.workflowId).describe();
      return desc.status.name === 'COMPLETED';
    });
    await run('segugio-notifications');
    // The reminder, once, to the same manager; nothing of the first run again.
    expect((await rows({ taskId: task.id })).map((r) => [r.kind, r.status])).toEqual([
      ['approval', 'SENT'],
      ['approval-reminder', 'SENT'],
    ]);
    expect(await aboutTask()).toEqual([
      '[Segugio] Approvazione in attesa: Approvazione azione legale',
      '[Segugio] Promemoria: approvazione ancora in attesa: Approvazione azione legale',
    ]);
    expect(
      mailsTo(users.sales)
        .map((m) => m.body.subject)
        .filter((s) => s.includes('Plan')),
    ).toEqual([`[Segugio] Plan d'apurement caduc : ${body.customer.name}`]);

    // Paid: the customer workflow releases the block, and the salesperson hears of that too, once.
    const paid = await as(h, 'erp')
      .post(`/v1/invoices/${invoiceId}/payments`)
      .send({ reference: 'PAY-1', amountMinor: 1_234_550, paidOn: localDate(new Date(), TZ) });
    expect(paid.status).toBeLessThan(300);
    await eventually(() =>
      h.db.contactEvent.findFirst({ where: { customerId, channel: 'ERP', template: 'UNBLOCK_CUSTOMER' } }),
    );
    await run('segugio-notifications');
    await run('segugio-notifications');
    const all = await rows({ OR: [{ customerId }, { taskId: task.id }] });
    expect(all.map((r) => r.kind).sort()).toEqual(
      [
        'approval',
        'approval-reminder',
        'order-block',
        'order-release',
        'plan-broken',
        'promise-broken',
        'step-ahead',
      ].sort(),
    );
    expect(all.every((r) => r.status === 'SENT')).toBe(true);
    // One e-mail per notification, each with its own key.
    const keys = [...mailsTo(users.sales), ...(await managerMails())].map(
      (m) => m.body.custom_args?.segugio_key ?? m.body.personalizations[0].custom_args?.segugio_key,
    );
    expect(keys).toHaveLength(7);
    expect(new Set(keys).size).toBe(7);
    expect(promise.id).toBeDefined();
  });

  it('SendGrid events move a notification forward (delivered, bounced) and open no task for the debtor', async () => {
    const [first, second] = await rows({ userId: users.sales, status: 'SENT' });
    const tasksBefore = await h.db.task.count({ where: { kind: 'FIX_CONTACT' } });
    const post = (events: unknown[]) =>
      request(h.app).post('/v1/webhooks/sendgrid/events').set('content-type', 'application/json').send(events);
    const res = await post([
      { event: 'delivered', notification_id: first.id, segugio_key: `notify:${first.idempotencyKey}` },
      { event: 'bounce', type: 'bounce', segugio_key: `notify:${second.idempotencyKey}`, reason: 'mailbox full' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 2, recorded: 2 });
    expect(await h.db.notification.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({
      status: 'DELIVERED',
    });
    expect(await h.db.notification.findUniqueOrThrow({ where: { id: second.id } })).toMatchObject({
      status: 'BOUNCED',
      outcome: 'BOUNCE',
    });
    // A late `processed` never moves a row back; no FIX_CONTACT task for a customer who was never written to.
    await post([{ event: 'processed', notification_id: first.id }]);
    expect(await h.db.notification.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({
      status: 'DELIVERED',
    });
    expect(await h.db.task.count({ where: { kind: 'FIX_CONTACT' } })).toBe(tasksBefore);
  });

  it('a delivery retried after SendGrid accepted it does not send again (the key is looked up first)', async () => {
    const invoice = await h.db.invoice.findFirstOrThrow({ where: { customer: { salespersonId: users.sales } } });
    const row = await h.db.notification.create({
      data: {
        idempotencyKey: `${uniq('promise-broken:test')}:${users.sales}`,
        triggerKey: uniq('promise-broken:test'),
        kind: 'promise-broken',
        userId: users.sales,
        customerId: invoice.customerId,
        params: {
          customerName: 'Test',
          invoiceNumber: 'T-1',
          promisedDate: '2026-11-30',
          amountMinor: 100,
          currency: 'EUR',
        },
      },
    });
    let crash = true;
    const acts = createNotificationActivities({
      db: h.db,
      config: h.config,
      log: createLogger('silent', 'test'),
      faults: {
        afterProviderAccepted: () => {
          if (crash) {
            crash = false;
            throw new Error('worker died after SendGrid accepted');
          }
        },
      },
    });
    const before = mailsTo(users.sales).length;
    await expect(acts.deliverNotification({ id: row.id })).rejects.toThrow('worker died');
    expect((await h.db.notification.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('PENDING');
    await expect(acts.deliverNotification({ id: row.id })).resolves.toEqual({ status: 'SENT' });
    await expect(acts.deliverNotification({ id: row.id })).resolves.toEqual({ status: 'SENT' });
    expect(mailsTo(users.sales).length - before).toBe(1);
  });
});

describe('collector digest', () => {
  it('carries the seeded agenda, goes out at the collector’s hour, once a day, skipped when empty', async () => {
    const seg = await createTestPolicy(h.db, {
      name: 'quiet',
      steps: [{ stage: 'REMINDER', offset: 'P30D', channels: ['EMAIL'], template: 'reminder-1' }],
      settings: secondsSettings,
    });
    const body = invoiceBody(seg, { collectorId: users.collector, amountMinor: 250_000 });
    delete (body.customer as { salespersonId?: string }).salespersonId;
    const created = await as(h, 'erp').post('/v1/invoices').send(body);
    expect(created.status).toBe(201);
    const invoiceId = created.body.invoiceId as string;
    const { customerId } = await h.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
    const now = new Date();
    const today = localDate(now, TZ);
    const [y, m, d] = today.split('-').map(Number);
    const at = (minute: number) => zonedInstant(y, m, d, minute, TZ);
    const yesterday3pm = new Date(at(15 * 60).getTime() - 86_400_000);

    await h.db.task.create({
      data: {
        idempotencyKey: uniq('call'),
        kind: 'CALL',
        invoiceId,
        customerId,
        assigneeId: users.collector,
        dueAt: at(17 * 60),
        createdAt: at(7 * 60),
      },
    });
    await h.db.paymentPromise.createMany({
      data: [
        {
          key: uniq('due'),
          invoiceId,
          promisedDate: new Date(`${today}T00:00:00Z`),
          amountMinor: 100_000n,
          status: 'OPEN',
          recordedBy: users.collector,
        },
        {
          key: uniq('broken'),
          invoiceId,
          promisedDate: new Date(`${localDate(yesterday3pm, TZ)}T00:00:00Z`),
          amountMinor: 50_000n,
          status: 'BROKEN',
          recordedBy: users.collector,
          resolvedAt: yesterday3pm,
        },
      ],
    });
    await h.db.dispute.create({
      data: {
        key: uniq('dispute'),
        invoiceId,
        reasonCode: 'DEFECTIVE_GOODS',
        note: 'two pallets',
        status: 'REJECTED',
        openedBy: users.collector,
        openedAt: new Date(at(6 * 60).getTime() - 2 * 86_400_000),
        resolvedBy: 'u-laura',
        resolvedAt: at(7 * 60 + 30),
      },
    });
    // Another collector with nothing on the agenda today.
    const idle = uniq('u-idle');
    await h.db.user.create({
      data: { id: idle, name: 'Idle', email: `${idle}@coll.example`, role: 'collector', language: 'it' },
    });
    // And one whose account was disabled: nothing is planned for them.
    const gone = uniq('u-gone');
    await h.db.user.create({
      data: { id: gone, name: 'Gone', email: `${gone}@coll.example`, role: 'collector', disabledAt: new Date() },
    });
    await h.db.notificationPreference.create({ data: { userId: users.collector, disabled: [], digestHour: 8 } });
    await h.db.notificationPreference.create({ data: { userId: idle, disabled: [], digestHour: 8 } });

    const acts = createNotificationActivities({ db: h.db, config: h.config, log: createLogger('silent', 'test') });
    // 07:59: not yet.
    await acts.planDigests({ asOf: at(8 * 60 - 1).toISOString() });
    expect(await rows({ kind: 'digest', userId: { in: [users.collector, idle] } })).toHaveLength(0);
    // 08:00: the digest of the seeded agenda; the idle collector's is recorded as skipped, not sent.
    await acts.planDigests({ asOf: at(8 * 60).toISOString() });
    const [digest] = await rows({ kind: 'digest', userId: users.collector });
    expect(digest).toMatchObject({ triggerKey: `digest:${today}`, status: 'PENDING' });
    expect(digest.params).toEqual({
      date: today,
      newTasks: [
        {
          kind: 'CALL',
          customerName: body.customer.name,
          invoiceNumber: body.number,
          dueAt: at(17 * 60).toISOString(),
        },
      ],
      promisesDueToday: [
        { customerName: body.customer.name, invoiceNumber: body.number, amountMinor: 100_000, currency: 'EUR' },
      ],
      promisesBrokenYesterday: [
        {
          customerName: body.customer.name,
          invoiceNumber: body.number,
          promisedDate: localDate(yesterday3pm, TZ),
          amountMinor: 50_000,
          currency: 'EUR',
        },
      ],
      disputesAnswered: [
        {
          customerName: body.customer.name,
          invoiceNumber: body.number,
          status: 'REJECTED',
          reasonCode: 'DEFECTIVE_GOODS',
        },
      ],
    });
    expect(await rows({ kind: 'digest', userId: idle })).toMatchObject([
      { status: 'SKIPPED', outcome: 'EMPTY_DIGEST' },
    ]);
    expect(await rows({ kind: 'digest', userId: gone })).toHaveLength(0);

    // The digest Schedule's run sends it, in English; later runs of the day send nothing more.
    await run('segugio-collector-digest');
    await run('segugio-collector-digest');
    await acts.planDigests({ asOf: at(9 * 60).toISOString() });
    expect(await rows({ kind: 'digest', userId: users.collector })).toMatchObject([{ status: 'SENT' }]);
    const mails = mailsTo(users.collector);
    expect(mails).toHaveLength(1);
    expect(mails[0].body.subject).toBe(
      `[Segugio] Your agenda for ${new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${today}T00:00:00Z`))}`,
    );
    const text = mails[0].body.content.find((c) => c.type === 'text/plain')!.value;
    expect(text).toContain('New tasks (1)');
    expect(text).toContain('Promises due today (1)');
    expect(text).toContain(`${body.customer.name}, Invoice ${body.number} – €1,000.00`);
    expect(text).toContain('Promises broken yesterday (1)');
    expect(text).toContain('Disputes answered (1)');
    expect(text).toContain('dispute rejected');
    expect(mailsTo(idle)).toHaveLength(0);
  });
});

describe('preferences', () => {
  it('GET and PUT /v1/me/preferences: strict, required kinds stay on, a refused request writes nothing', async () => {
    // Other suites on this database may have left the seeded users' preferences changed.
    await h.db.notificationPreference.deleteMany({ where: { userId: { in: ['u-laura', 'u-giulia'] } } });
    expect((await as(h, 'manager').put('/v1/me/preferences').send({})).status).toBe(400);
    const get = await as(h, 'manager').get('/v1/me/preferences');
    expect(get.status).toBe(200);
    expect(get.body).toMatchObject({
      userId: 'u-laura',
      role: 'manager',
      digestHour: 8,
      timeZone: TZ,
      notifications: [
        { kind: 'approval', enabled: true, required: true },
        { kind: 'approval-reminder', enabled: true, required: false },
      ],
    });
    const off = await as(h, 'manager')
      .put('/v1/me/preferences')
      .send({ language: 'fr', notifications: { approval: false, 'approval-reminder': false } });
    expect(off.status).toBe(400);
    expect(off.body.error.fields).toEqual([
      expect.objectContaining({ path: 'notifications.approval', code: 'required_notification' }),
    ]);
    expect((await h.db.user.findUniqueOrThrow({ where: { id: 'u-laura' } })).language).toBe('it');
    const unknown = await as(h, 'manager').put('/v1/me/preferences').send({ digestHour: 7, colour: 'red' });
    expect(unknown.status).toBe(400);
    const bad = await as(h, 'manager').put('/v1/me/preferences').send({ digestHour: 24 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('digestHour');
    expect(await h.db.notificationPreference.findUnique({ where: { userId: 'u-laura' } })).toBeNull();

    const ok = await as(h, 'manager')
      .put('/v1/me/preferences')
      .send({ notifications: { 'approval-reminder': false } });
    expect(ok.status).toBe(200);
    expect(ok.body.notifications).toEqual([
      { kind: 'approval', enabled: true, required: true },
      { kind: 'approval-reminder', enabled: false, required: false },
    ]);
    const coll = await as(h, 'collector').put('/v1/me/preferences').send({ digestHour: 7, language: 'en' });
    expect(coll.body).toMatchObject({ digestHour: 7, digestHourDefault: false, language: 'en' });
    const back = await as(h, 'collector').put('/v1/me/preferences').send({ digestHour: null, language: 'it' });
    expect(back.body).toMatchObject({ digestHour: 8, digestHourDefault: true, language: 'it' });
    expect((await as(h, 'erp').get('/v1/me/preferences')).status).toBe(403);
    // Put the seeded manager back as the other suites expect.
    await h.db.notificationPreference.delete({ where: { userId: 'u-laura' } });
  });
});
