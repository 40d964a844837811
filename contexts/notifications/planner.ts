/**
 * What to tell whom, decided from the PostgreSQL mirror the workflows keep (docs/notifications.md). Each trigger has a
 * stable key (`promise-broken:<promise id>`, …); a notification is one Notification row per (trigger, recipient),
 * inserted with `skipDuplicates` on its unique key. The Notification table is therefore its own cursor: a scan
 * repeated after a crash or a worker restart inserts nothing it inserted before, and a mirror row committed late (a
 * retried activity writes workflow time, not commit time) is still found by the next scan, which a time cursor would
 * have skipped. Only events newer than the lookback are considered.
 */
import { Prisma } from '../../generated/prisma/client';
import { toNumber, type Db } from '../../infra/db';
import { localDate, localParts } from '../../domain/calendar';
import { addDuration } from '../../domain/duration';
import { zonedMidnight } from '../../domain/time';
import { TERMINAL_STAGES } from '../../workflows/contract';
import { APPROVAL_TASK_KINDS, wants, type NotificationKind } from './preferences';

export interface PlanSettings {
  timeZone: string;
  /** NOTIFY_STEP_LEAD: how long before a formal notice or legal step its salesperson is told. */
  stepLead: string;
  /** NOTIFY_APPROVAL_REMINDER: how long an approval waits after its notice before the reminder. */
  approvalReminder: string;
  /** NOTIFY_LOOKBACK: older events are never notified. */
  lookback: string;
  /** NOTIFY_DIGEST_HOUR: the digest hour of users who chose none. */
  digestHour: number;
}

interface Planned {
  triggerKey: string;
  kind: NotificationKind;
  userId: string;
  customerId?: string | null;
  invoiceId?: string | null;
  taskId?: string | null;
  params: Record<string, unknown>;
}

type Recipient = { id: string; email: string | null; disabled: string[]; inactive: boolean };

const iso = (d: Date): string => d.toISOString();
const day = (d: Date): string => d.toISOString().slice(0, 10);

async function recipients(db: Db, ids: string[]): Promise<Map<string, Recipient>> {
  const users = await db.user.findMany({
    where: { id: { in: [...new Set(ids)] } },
    include: { notificationPref: true },
  });
  return new Map(
    users.map((u) => [
      u.id,
      { id: u.id, email: u.email, disabled: u.notificationPref?.disabled ?? [], inactive: u.disabledAt !== null },
    ]),
  );
}

/**
 * Inserts the rows not inserted before: PENDING to send, or SKIPPED with why (the user turned the kind off, has no
 * e-mail address, an empty digest) so the decision is made once and can be read later.
 */
async function insert(db: Db, planned: Planned[], skipReason?: (p: Planned) => string | null): Promise<number> {
  if (planned.length === 0) return 0;
  const users = await recipients(
    db,
    planned.map((p) => p.userId),
  );
  const rows = planned.flatMap((p) => {
    const u = users.get(p.userId);
    if (!u) return [];
    // A disabled account (it can no longer sign in) is not written to either.
    const outcome = u.inactive
      ? 'USER_DISABLED'
      : !wants(u.disabled, p.kind)
        ? 'OPTED_OUT'
        : !u.email
          ? 'NO_EMAIL'
          : (skipReason?.(p) ?? null);
    return [
      {
        idempotencyKey: `${p.triggerKey}:${p.userId}`,
        triggerKey: p.triggerKey,
        kind: p.kind,
        userId: p.userId,
        customerId: p.customerId ?? null,
        invoiceId: p.invoiceId ?? null,
        taskId: p.taskId ?? null,
        params: p.params as Prisma.InputJsonValue,
        status: outcome ? 'SKIPPED' : 'PENDING',
        outcome,
      },
    ];
  });
  const r = await db.notification.createMany({ data: rows, skipDuplicates: true });
  return r.count;
}

/** Trigger keys among `keys` that already have a notification (for any recipient). */
async function existing(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.notification.findMany({
    where: { triggerKey: { in: keys } },
    select: { triggerKey: true },
    distinct: ['triggerKey'],
  });
  return new Set(rows.map((r) => r.triggerKey));
}

const fresh = async <T extends { triggerKey: string }>(db: Db, planned: T[]): Promise<T[]> => {
  const seen = await existing(
    db,
    planned.map((p) => p.triggerKey),
  );
  return planned.filter((p) => !seen.has(p.triggerKey));
};

/** The salesperson's notices: order block and release, a formal notice or legal step ahead, a broken promise or plan. */
async function salespersonTriggers(db: Db, now: Date, s: PlanSettings): Promise<Planned[]> {
  const since = new Date(addDuration(now.getTime(), `-${s.lookback}`));
  const out: Planned[] = [];

  // The order block is the customer workflow's ERP request (one per block episode), recorded once it went through
  // (SENT) or was queued for an ERP that is not configured (QUEUED): the block is decided either way.
  const blocks = await fresh(
    db,
    (
      await db.contactEvent.findMany({
        where: {
          channel: 'ERP',
          template: { in: ['BLOCK_CUSTOMER', 'UNBLOCK_CUSTOMER'] },
          status: { in: ['SENT', 'QUEUED'] },
          createdAt: { gte: since },
          customer: { salespersonId: { not: null } },
        },
        include: { customer: true },
        orderBy: { createdAt: 'asc' },
      })
    ).map((b) => ({
      ...b,
      triggerKey: `${b.template === 'BLOCK_CUSTOMER' ? 'order-block' : 'order-release'}:${b.id}`,
    })),
  );
  // Only the new ones are described (their overdue invoices read now), so a scan costs little once they are told.
  for (const b of blocks) {
    const block = b.template === 'BLOCK_CUSTOMER';
    const invoices = block
      ? await db.invoice.findMany({
          where: {
            customerId: b.customerId,
            stage: { notIn: [...TERMINAL_STAGES] },
            // Overdue from the term end (arts. 1187 and 2963 c.c.); the contractual date until the row is backfilled.
            OR: [{ effectiveDueDate: { lt: now } }, { effectiveDueDate: null, dueDate: { lt: now } }],
          },
          orderBy: { dueDate: 'asc' },
          take: 10,
        })
      : [];
    out.push({
      triggerKey: b.triggerKey,
      kind: block ? 'order-block' : 'order-release',
      userId: b.customer.salespersonId!,
      customerId: b.customerId,
      invoiceId: b.invoiceId,
      params: {
        customerName: b.customer.name,
        customerExternalId: b.customer.externalId,
        at: iso(b.createdAt),
        invoices: invoices.map((i) => ({
          number: i.externalNumber,
          dueDate: day(i.dueDate),
          balanceMinor: toNumber(i.balanceMinor),
          currency: i.currency,
          stage: i.stage,
        })),
      },
    });
  }

  // A formal notice or legal step within the lead time: the mirror's next action names it and its date. A date that
  // moves (a pause, a policy change) is a new date to tell; one already past is no longer "ahead".
  const horizon = new Date(addDuration(now.getTime(), s.stepLead));
  const ahead = await db.invoice.findMany({
    where: {
      stage: { notIn: [...TERMINAL_STAGES] },
      nextActionKind: { in: ['FORMAL_NOTICE', 'LEGAL'] },
      nextActionAt: { gt: now, lte: horizon },
      customer: { salespersonId: { not: null } },
    },
    include: { customer: true },
    orderBy: { nextActionAt: 'asc' },
  });
  for (const i of ahead) {
    out.push({
      triggerKey: `step-ahead:${i.id}:${i.nextActionKind}:${iso(i.nextActionAt!)}`,
      kind: 'step-ahead',
      userId: i.customer.salespersonId!,
      customerId: i.customerId,
      invoiceId: i.id,
      params: {
        customerName: i.customer.name,
        invoiceNumber: i.externalNumber,
        step: i.nextActionKind,
        at: iso(i.nextActionAt!),
        balanceMinor: toNumber(i.balanceMinor),
        currency: i.currency,
        stage: i.stage,
      },
    });
  }

  const promises = await db.paymentPromise.findMany({
    where: { status: 'BROKEN', resolvedAt: { gte: since }, invoice: { customer: { salespersonId: { not: null } } } },
    include: { invoice: { include: { customer: true } } },
  });
  for (const p of promises) {
    out.push({
      triggerKey: `promise-broken:${p.id}`,
      kind: 'promise-broken',
      userId: p.invoice.customer.salespersonId!,
      customerId: p.invoice.customerId,
      invoiceId: p.invoiceId,
      params: {
        customerName: p.invoice.customer.name,
        invoiceNumber: p.invoice.externalNumber,
        promisedDate: day(p.promisedDate),
        amountMinor: toNumber(p.amountMinor),
        balanceMinor: toNumber(p.invoice.balanceMinor),
        currency: p.invoice.currency,
      },
    });
  }

  const plans = await db.repaymentPlan.findMany({
    where: { status: 'DEFAULTED', endedAt: { gte: since }, invoice: { customer: { salespersonId: { not: null } } } },
    include: { invoice: { include: { customer: true } } },
  });
  for (const p of plans) {
    out.push({
      triggerKey: `plan-broken:${p.id}`,
      kind: 'plan-broken',
      userId: p.invoice.customer.salespersonId!,
      customerId: p.invoice.customerId,
      invoiceId: p.invoiceId,
      params: {
        customerName: p.invoice.customer.name,
        invoiceNumber: p.invoice.externalNumber,
        balanceMinor: toNumber(p.invoice.balanceMinor),
        currency: p.invoice.currency,
      },
    });
  }
  return out;
}

/**
 * Approvals waiting for a credit manager (every open task of an approval kind, whatever its age: it is waiting now),
 * and one reminder per approval still open NOTIFY_APPROVAL_REMINDER after its first notice.
 */
async function approvalTriggers(db: Db, now: Date, s: PlanSettings): Promise<Planned[]> {
  const tasks = await db.task.findMany({
    where: { status: 'OPEN', kind: { in: [...APPROVAL_TASK_KINDS] } },
    include: { invoice: true, customer: true, assignee: true },
    orderBy: { createdAt: 'asc' },
  });
  if (tasks.length === 0) return [];
  const managers = (await db.user.findMany({ where: { role: 'manager', disabledAt: null }, select: { id: true } })).map(
    (u) => u.id,
  );
  const firstNotice = new Map(
    (
      await db.notification.findMany({
        where: { triggerKey: { in: tasks.map((t) => `approval:${t.id}`) } },
        select: { triggerKey: true, createdAt: true },
        orderBy: { createdAt: 'asc' },
      })
    ).map((n) => [n.triggerKey, n.createdAt]),
  );
  const remindBefore = addDuration(now.getTime(), `-${s.approvalReminder}`);
  const out: Planned[] = [];
  for (const t of tasks) {
    // The assignee when a manager was named; otherwise every credit manager.
    const to = t.assignee?.role === 'manager' ? [t.assignee.id] : managers;
    const params = {
      taskKind: t.kind,
      customerName: t.customer?.name ?? null,
      invoiceNumber: t.invoice?.externalNumber ?? null,
      balanceMinor: t.invoice ? toNumber(t.invoice.balanceMinor) : null,
      currency: t.invoice?.currency ?? null,
      waitingSince: iso(t.createdAt),
      dueAt: iso(t.dueAt),
    };
    const base = { customerId: t.customerId, invoiceId: t.invoiceId, taskId: t.id };
    const first = firstNotice.get(`approval:${t.id}`);
    if (!first) {
      for (const userId of to) out.push({ ...base, triggerKey: `approval:${t.id}`, kind: 'approval', userId, params });
    } else if (first.getTime() <= remindBefore) {
      for (const userId of to)
        out.push({ ...base, triggerKey: `approval-reminder:${t.id}`, kind: 'approval-reminder', userId, params });
    }
  }
  return out;
}

/**
 * One scan of the mirror: inserts the notifications it finds, returns how many per kind were new and the ids still
 * to send (new or left PENDING by an earlier run), oldest first.
 */
export async function planNotifications(
  db: Db,
  now: Date,
  s: PlanSettings,
  limit = 200,
): Promise<{ inserted: number; pending: string[] }> {
  const planned = await fresh(db, [
    ...(await salespersonTriggers(db, now, s)),
    ...(await approvalTriggers(db, now, s)),
  ]);
  const inserted = await insert(db, planned);
  return { inserted, pending: await pendingIds(db, ['digest'], limit) };
}

/** PENDING notifications, oldest first; `exclude`/`only` split the digest's run from the scan's. */
export async function pendingIds(db: Db, exclude: string[], limit: number, only?: string[]): Promise<string[]> {
  const rows = await db.notification.findMany({
    where: { status: 'PENDING', kind: only ? { in: only } : { notIn: exclude } },
    orderBy: { createdAt: 'asc' },
    select: { id: true },
    take: limit,
  });
  return rows.map((r) => r.id);
}

export interface DigestContent {
  date: string;
  newTasks: Array<{ kind: string; customerName: string | null; invoiceNumber: string | null; dueAt: string }>;
  promisesDueToday: Array<{ customerName: string; invoiceNumber: string; amountMinor: number; currency: string }>;
  promisesBrokenYesterday: Array<{
    customerName: string;
    invoiceNumber: string;
    promisedDate: string;
    amountMinor: number;
    currency: string;
  }>;
  disputesAnswered: Array<{ customerName: string; invoiceNumber: string; status: string; reasonCode: string }>;
}

const LIST_MAX = 25;

/**
 * A collector's agenda for `today` (docs/notifications.md): tasks assigned to them in the last 24 hours and still
 * open, their customers' promises due today, promises judged broken yesterday (business time zone), and disputes
 * answered in the last 24 hours.
 */
export async function digestContent(db: Db, userId: string, now: Date, timeZone: string): Promise<DigestContent> {
  const today = localDate(now, timeZone);
  const startOfToday = zonedMidnight(today, timeZone);
  const yesterday = localDate(new Date(startOfToday.getTime() - 12 * 3_600_000), timeZone);
  const startOfYesterday = zonedMidnight(yesterday, timeZone);
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const mine = { invoice: { customer: { collectorId: userId } } };
  const [tasks, due, broken, disputes] = await Promise.all([
    db.task.findMany({
      where: { assigneeId: userId, status: 'OPEN', createdAt: { gte: dayAgo } },
      include: { invoice: true, customer: true },
      orderBy: { dueAt: 'asc' },
      take: LIST_MAX,
    }),
    db.paymentPromise.findMany({
      where: { ...mine, status: 'OPEN', promisedDate: new Date(`${today}T00:00:00Z`) },
      include: { invoice: { include: { customer: true } } },
      take: LIST_MAX,
    }),
    db.paymentPromise.findMany({
      where: { ...mine, status: 'BROKEN', resolvedAt: { gte: startOfYesterday, lt: startOfToday } },
      include: { invoice: { include: { customer: true } } },
      take: LIST_MAX,
    }),
    db.dispute.findMany({
      where: { ...mine, status: { not: 'OPEN' }, resolvedAt: { gte: dayAgo } },
      include: { invoice: { include: { customer: true } } },
      take: LIST_MAX,
    }),
  ]);
  return {
    date: today,
    newTasks: tasks.map((t) => ({
      kind: t.kind,
      customerName: t.customer?.name ?? null,
      invoiceNumber: t.invoice?.externalNumber ?? null,
      dueAt: iso(t.dueAt),
    })),
    promisesDueToday: due.map((p) => ({
      customerName: p.invoice.customer.name,
      invoiceNumber: p.invoice.externalNumber,
      amountMinor: toNumber(p.amountMinor),
      currency: p.invoice.currency,
    })),
    promisesBrokenYesterday: broken.map((p) => ({
      customerName: p.invoice.customer.name,
      invoiceNumber: p.invoice.externalNumber,
      promisedDate: day(p.promisedDate),
      amountMinor: toNumber(p.amountMinor),
      currency: p.invoice.currency,
    })),
    disputesAnswered: disputes.map((d) => ({
      customerName: d.invoice.customer.name,
      invoiceNumber: d.invoice.externalNumber,
      status: d.status,
      reasonCode: d.reasonCode,
    })),
  };
}

export const digestIsEmpty = (c: DigestContent): boolean =>
  c.newTasks.length + c.promisesDueToday.length + c.promisesBrokenYesterday.length + c.disputesAnswered.length === 0;

/**
 * The daily digests due at `now`: one per collector whose digest hour (theirs, or the default) has come today in the
 * business time zone and who has no digest for today yet. Run hourly by the digest Schedule; a run missed or cut
 * short is made good by the next one, and the key `digest:<date>:<user>` never lets a day have two.
 */
export async function planDigests(
  db: Db,
  now: Date,
  s: PlanSettings,
  limit = 200,
): Promise<{ inserted: number; pending: string[] }> {
  const today = localDate(now, s.timeZone);
  const hour = localParts(now, s.timeZone).hour;
  const collectors = await db.user.findMany({
    where: { role: 'collector', disabledAt: null },
    include: { notificationPref: true },
  });
  const triggerKey = `digest:${today}`;
  const done = new Set(
    (await db.notification.findMany({ where: { triggerKey, kind: 'digest' }, select: { userId: true } })).map(
      (n) => n.userId,
    ),
  );
  const planned: Planned[] = [];
  const empty = new Set<string>();
  for (const u of collectors) {
    if (done.has(u.id) || (u.notificationPref?.digestHour ?? s.digestHour) > hour) continue;
    const content = await digestContent(db, u.id, now, s.timeZone);
    if (digestIsEmpty(content)) empty.add(u.id);
    planned.push({ triggerKey, kind: 'digest', userId: u.id, params: content as unknown as Record<string, unknown> });
  }
  const inserted = await insert(db, planned, (p) => (empty.has(p.userId) ? 'EMPTY_DIGEST' : null));
  return { inserted, pending: await pendingIds(db, [], limit, ['digest']) };
}
