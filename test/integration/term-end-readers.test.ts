/**
 * Days overdue count from the business-day due date everywhere (arts. 1187 and 2963 c.c.), against the real stack:
 * the intake stores `Invoice.effectiveDueDate` from the same domain function the workflow uses, and the invoice list
 * and reading, the agenda, the customer page, the statement and the rating input all count from it.
 *
 * Worked examples (dates checked with domain/calendar.ts):
 * - due Sunday 1 November 2026 (Ognissanti on a Sunday) → term end Monday 2 November: on 2 November it is 0 days
 *   overdue, not 1 (the rating input with `asOf` 2026-11-02); a payment made on 2 November is 0 days late;
 * - due Friday 25 December 2026 (Natale) → Monday 28 December (26 December Santo Stefano is a Saturday, 27 a Sunday);
 * - today's equivalent, so the readers that only answer "as of today" are checked at 0 as well: an invoice due
 *   yesterday, configured as a local holiday (SEGUGIO_EXTRA_HOLIDAYS), is not overdue today — the contractual date
 *   would say 1 day.
 * The backfill job fills rows older than the column (readers fall back to the contractual date until it has run) and
 * a second run does nothing.
 */
import { effectiveDueDate } from '../../domain/calendar';
import { daysOverdue, todayIn } from '../../domain/time';
import { backfillTermEnds } from '../../contexts/intake/term-end';
import { previewRating } from '../../contexts/reports/rating';
import { as, quietSegment } from './api-helpers';
import { startHarness, uniq, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
let segment: string;
const TZ = 'Europe/Rome';
// Yesterday in Rome, made a local holiday for this stack (an ISO date, not a recurring one).
const today = todayIn(TZ);
const yesterday = (() => {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
})();

beforeAll(async () => {
  h = await startHarness({ env: { SEGUGIO_EXTRA_HOLIDAYS: yesterday, SEGUGIO_TZ: TZ } });
  segment = await quietSegment(h);
});

afterAll(async () => {
  await h?.close();
});

async function post(customerId: string, number: string, dueDate: string, area: string): Promise<string> {
  const res = await as(h, 'erp')
    .post('/v1/invoices')
    .send({
      number,
      customer: {
        externalId: customerId,
        name: 'Ferramenta Lombarda S.r.l.',
        language: 'it',
        segment,
        area,
        collectorId: 'u-giulia',
      },
      currency: 'EUR',
      amountMinor: 100_000,
      issueDate: '2026-10-01',
      dueDate,
    });
  expect(res.status).toBe(201);
  return res.body.invoiceId as string;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

test('the calendar of the worked examples', () => {
  expect(new Date('2026-11-01T00:00:00Z').getUTCDay()).toBe(0);
  expect(effectiveDueDate('2026-11-01')).toBe('2026-11-02');
  expect(new Date('2026-12-25T00:00:00Z').getUTCDay()).toBe(5);
  expect(effectiveDueDate('2026-12-25')).toBe('2026-12-28');
  expect(effectiveDueDate(yesterday, { extraHolidays: [yesterday] }) >= today).toBe(true);
});

test('list, reading, agenda, customer page and statement count from the term end', async () => {
  const customerId = uniq('CUST');
  const area = uniq('Area');
  const nov = await post(customerId, uniq('FT-NOV'), '2026-11-01', area);
  const xmas = await post(customerId, uniq('FT-XMAS'), '2026-12-25', area);
  const local = await post(customerId, uniq('FT-LOCAL'), yesterday, area);

  // Stored at intake, from the function the workflow uses.
  const rows = await h.db.invoice.findMany({ where: { id: { in: [nov, xmas, local] } } });
  const stored = new Map(rows.map((r) => [r.id, iso(r.effectiveDueDate)]));
  expect(stored.get(nov)).toBe('2026-11-02');
  expect(stored.get(xmas)).toBe('2026-12-28');
  const localEnd = effectiveDueDate(yesterday, { extraHolidays: [yesterday] });
  expect(stored.get(local)).toBe(localEnd);

  const expected = new Map([
    [nov, daysOverdue('2026-11-02', today)],
    [xmas, daysOverdue('2026-12-28', today)],
    [local, daysOverdue(localEnd, today)],
  ]);
  // One day fewer than the contractual date says for 1 November; the local holiday is not overdue at all.
  expect(expected.get(nov)).toBe(daysOverdue('2026-11-01', today) - 1);
  expect(daysOverdue(yesterday, today)).toBe(1);
  expect(expected.get(local)! <= 0).toBe(true);

  // Invoice list.
  const list = await as(h, 'manager').get(`/v1/invoices?customer=${customerId}`);
  expect(list.status).toBe(200);
  const listed = new Map(
    (
      list.body.items as Array<{ invoiceId: string; daysOverdue: number; effectiveDueDate: string; dueDate: string }>
    ).map((i) => [i.invoiceId, i]),
  );
  for (const [id, days] of expected) expect(listed.get(id)?.daysOverdue).toBe(days);
  expect(listed.get(nov)).toMatchObject({ dueDate: '2026-11-01', effectiveDueDate: '2026-11-02' });
  expect(listed.get(xmas)).toMatchObject({ dueDate: '2026-12-25', effectiveDueDate: '2026-12-28' });
  // The overdue filter counts the same way: the local-holiday invoice is not "at least 1 day" overdue.
  const overdue = await as(h, 'manager').get(`/v1/invoices?customer=${customerId}&overdueMin=1`);
  const overdueIds = (overdue.body.items as Array<{ invoiceId: string }>).map((i) => i.invoiceId);
  expect(overdueIds).toContain(nov);
  expect(overdueIds).not.toContain(local);

  // Invoice reading.
  const one = await as(h, 'manager').get(`/v1/invoices/${nov}`);
  expect(one.status).toBe(200);
  expect(one.body).toMatchObject({ dueDate: '2026-11-01', effectiveDueDate: '2026-11-02' });
  expect(one.body.daysOverdue).toBe(expected.get(nov));
  const localRead = await as(h, 'manager').get(`/v1/invoices/${local}`);
  expect(localRead.body.daysOverdue).toBe(0);

  // Agenda: a call task on each invoice (the agenda clamps at 0 like the reading).
  const customer = await h.db.customer.findUniqueOrThrow({ where: { externalId: customerId } });
  for (const invoiceId of [nov, local])
    await h.db.task.create({
      data: {
        idempotencyKey: uniq('term-end-task'),
        kind: 'CALL',
        customerId: customer.id,
        invoiceId,
        assigneeId: 'u-giulia',
        dueAt: new Date(),
      },
    });
  const agenda = await as(h, 'manager').get(`/v1/agenda?area=${area}`);
  expect(agenda.status).toBe(200);
  const agendaDays = new Map(
    (agenda.body.items as Array<{ invoice: { invoiceId: string; daysOverdue: number } | null }>).map((i) => [
      i.invoice?.invoiceId,
      i.invoice?.daysOverdue,
    ]),
  );
  expect(agendaDays.get(nov)).toBe(expected.get(nov));
  expect(agendaDays.get(local)).toBe(0);

  // Customer page: days per invoice, and only the November invoice in the overdue exposure.
  const page = await as(h, 'manager').get(`/v1/customers/${customer.id}`);
  expect(page.status).toBe(200);
  const pageDays = new Map(
    (page.body.invoices as Array<{ invoiceId: string; daysOverdue: number }>).map((i) => [i.invoiceId, i.daysOverdue]),
  );
  for (const [id, days] of expected) expect(pageDays.get(id)).toBe(days);
  const overdueMinor = [...expected.values()].filter((d) => d > 0).length * 100_000;
  expect(overdueMinor).toBeGreaterThanOrEqual(100_000); // the November invoice at least; never the local-holiday one
  expect(page.body.exposure).toEqual([{ currency: 'EUR', openMinor: 300_000, overdueMinor, openInvoices: 3 }]);

  // Statement of account.
  const st = await as(h, 'manager').get(`/v1/customers/${customer.id}/statement`);
  expect(st.status).toBe(200);
  const lines = (
    st.body.sections as Array<{
      lines: Array<{ kind: string; invoiceId: string; daysOverdue: number; status: string; effectiveDueDate: string }>;
    }>
  )
    .flatMap((s) => s.lines)
    .filter((l) => l.kind === 'INVOICE');
  const byId = new Map(lines.map((l) => [l.invoiceId, l]));
  for (const [id, days] of expected) expect(byId.get(id)?.daysOverdue).toBe(days);
  expect(byId.get(nov)).toMatchObject({ status: 'OVERDUE', effectiveDueDate: '2026-11-02' });
  expect(byId.get(local)?.status).toBe('NOT_DUE');
  expect(byId.get(xmas)).toMatchObject({
    status: expected.get(xmas)! > 0 ? 'OVERDUE' : 'NOT_DUE',
    effectiveDueDate: '2026-12-28',
  });
});

test('rating input on 2 November 2026: a payment that day is not late, the open invoice is not overdue', async () => {
  const customerId = uniq('CUST');
  const id = await post(customerId, uniq('FT-RATING'), '2026-11-01', uniq('Area'));
  const pay = await as(h, 'erp')
    .post(`/v1/invoices/${id}/payments`)
    .send({ reference: uniq('BONIFICO'), amountMinor: 50_000, paidOn: '2026-11-02' });
  expect(pay.status).toBeLessThan(300);
  // The balance the workflow mirrors once it applies the payment (no worker runs in this file).
  await h.db.invoice.update({ where: { id }, data: { balanceMinor: 50_000n } });
  const customer = await h.db.customer.findUniqueOrThrow({ where: { externalId: customerId } });
  // On 2 November: the payment is 0 days late and the open rest is not yet overdue (the contractual date said 1 and 1).
  const on2 = await previewRating(h.db, customer.id, '2026-11-02');
  expect(on2?.features.weightedDaysLate).toBe(0);
  // On 4 November the open rest is 2 days overdue: (500 × 0 + 500 × 2) / 1000 = 1.
  const on4 = await previewRating(h.db, customer.id, '2026-11-04');
  expect(on4?.features.weightedDaysLate).toBe(1);
});

test('backfill: a row older than the column reads from the contractual date until filled, once', async () => {
  const customerId = uniq('CUST');
  const id = await post(customerId, uniq('FT-OLD'), '2026-11-01', uniq('Area'));
  await h.db.invoice.update({ where: { id }, data: { effectiveDueDate: null } });
  const before = await as(h, 'manager').get(`/v1/invoices/${id}`);
  // COALESCE(effectiveDueDate, dueDate): the old reading, until the job has run.
  expect(before.body.daysOverdue).toBe(daysOverdue('2026-11-01', today));
  expect(before.body.effectiveDueDate).toBe('2026-11-01');

  const first = await backfillTermEnds(h.db, [yesterday], { invoiceIds: [id], batchSize: 1 });
  expect(first).toEqual({ scanned: 1, moved: 1 });
  const row = await h.db.invoice.findUniqueOrThrow({ where: { id } });
  expect(iso(row.effectiveDueDate)).toBe('2026-11-02');
  const after = await as(h, 'manager').get(`/v1/invoices/${id}`);
  expect(after.body.daysOverdue).toBe(daysOverdue('2026-11-02', today));
  expect(await backfillTermEnds(h.db, [yesterday], { invoiceIds: [id] })).toEqual({ scanned: 0, moved: 0 });
});
