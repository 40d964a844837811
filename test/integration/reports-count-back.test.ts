/**
 * The count-back DSO reads the months of credit sales in widening slices (3, 6, 12, 24 months back) and an older
 * slice only while some row's receivables reach past what it has read. This test keeps the straightforward reading
 * (all 24 months at once, the query it replaced) and checks both give the same count-back DSO and the same
 * "exhausted" flag, total and per group, on a seeded population of its own segment whose four areas pay at four
 * speeds: one exhausted within 3 months, one within 6, one within 12 and one whose receivables outlast the 24 months.
 * It also checks that a quickly exhausted population reads only the first slice.
 */
import { Prisma } from '../../generated/prisma/client';
import { createDb, type Db } from '../../infra/db';
import { COUNT_BACK_MONTHS, countBackWindows, dsoReport } from '../../contexts/reports/kpis';
import { addDays, countBackDso } from '../../contexts/reports/formulas';
import { num, type Period, type ReportFilter } from '../../contexts/reports/filters';
import { seeded } from '../seeded';

jest.setTimeout(60_000);

let db: Db;
const tag = `cbk${Date.now().toString(36)}${process.pid}`;
/** Days after issue at which each area's invoices are paid; the last one's are never paid. */
const PAID_AFTER: Record<string, number | null> = { Nord: 40, Centro: 130, Sud: 280, Isole: null };
const AREAS = Object.keys(PAID_AFTER);
const FIRST_ISSUE = '2023-01-01';
const LAST_ISSUE = '2026-06-30';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL ?? '', 4);
  const rnd = seeded(11);
  const customers = Array.from({ length: 12 }, (_, n) => ({
    id: `${tag}-c${n}`,
    externalId: `${tag}-c${n}`,
    name: `Count-back ${n}`,
    segment: tag,
    area: AREAS[n % AREAS.length],
  }));
  await db.customer.createMany({ data: customers });
  const invoices = [];
  const payments = [];
  const span = (Date.parse(LAST_ISSUE) - Date.parse(FIRST_ISSUE)) / 86_400_000;
  for (let n = 0; n < 600; n++) {
    const id = `${tag}-i${n}`;
    const customer = customers[Math.floor(rnd() * customers.length)];
    const issue = addDays(FIRST_ISSUE, Math.floor(rnd() * span));
    const amount = 10_000 + Math.floor(rnd() * 300_000);
    // The Isole customers buy much less in the last two years, so their unpaid invoices outlast the look-back.
    if (customer.area === 'Isole' && issue > '2024-06-30' && rnd() < 0.85) continue;
    const after = PAID_AFTER[customer.area];
    const paidOn = after === null ? null : addDays(issue, after + Math.floor(rnd() * 20));
    const paid = paidOn !== null && paidOn <= '2026-07-31';
    invoices.push({
      id,
      externalNumber: id,
      customerId: customer.id,
      currency: 'EUR',
      amountMinor: amount,
      balanceMinor: paid ? 0 : amount,
      issueDate: day(issue),
      dueDate: day(addDays(issue, 30)),
      stage: paid ? 'PAID' : 'OPEN',
      closedAt: paid ? day(paidOn) : null,
      segment: tag,
      workflowId: `invoice-${id}`,
    });
    if (paid) payments.push({ invoiceId: id, reference: `${id}-p`, amountMinor: amount, paidOn: day(paidOn) });
  }
  await db.invoice.createMany({ data: invoices });
  await db.payment.createMany({ data: payments });
});
afterAll(async () => {
  await db?.$disconnect();
});

/** The count-back of every area and of the total from all 24 months of sales, read at once as before. */
async function reference(
  to: string,
  receivablesEnd: Map<string, number>,
): Promise<Map<string, ReturnType<typeof countBackDso>>> {
  const months = countBackWindows(to, COUNT_BACK_MONTHS);
  const rows = await db.$queryRaw<Array<{ k: string | null; is_total: number | bigint; m: Date; sales: unknown }>>(
    Prisma.sql`
      SELECT k, GROUPING(k) AS is_total, m, SUM(amt) AS sales FROM (
        SELECT c.area AS k, date_trunc('month', i."issueDate")::date AS m, i."amountMinor" AS amt
        FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
        WHERE i.currency = 'EUR' AND i.stage <> 'CANCELLED' AND c.segment = ${tag}
          AND i."issueDate" BETWEEN ${months[months.length - 1].start}::date AND ${to}::date
      ) x GROUP BY GROUPING SETS ((k, m), (m))`,
  );
  const sales = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const key = Number(r.is_total) === 1 ? 'total' : String(r.k);
    if (!sales.has(key)) sales.set(key, new Map());
    sales.get(key)!.set(r.m.toISOString().slice(0, 7), num(r.sales));
  }
  const out = new Map<string, ReturnType<typeof countBackDso>>();
  for (const [key, ar] of receivablesEnd)
    out.set(
      key,
      countBackDso(
        ar,
        months.map((m) => ({ month: m.month, days: m.days, sales: sales.get(key)?.get(m.month) ?? 0 })),
      ),
    );
  return out;
}

async function reportCounting(period: Period, f: ReportFilter) {
  const spy = jest.spyOn(db, '$queryRaw');
  try {
    const report = await dsoReport(db, period, f);
    return { report, queries: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

describe('count-back DSO: the sliced reading equals reading all 24 months', () => {
  const periods: Period[] = [
    { from: '2026-06-01', to: '2026-06-30' },
    { from: '2026-01-01', to: '2026-03-31' },
    { from: '2025-07-01', to: '2026-06-30' },
    { from: '2025-02-01', to: '2025-02-28' },
  ];
  it.each(periods.map((p) => [p.from, p.to] as const))('%s – %s, by area', async (from, to) => {
    const { report } = await reportCounting({ from, to }, { segment: [tag], groupBy: 'area' });
    const ar = new Map<string, number>([['total', report.total.receivablesEndMinor]]);
    for (const g of report.groups) ar.set(String(g.key), g.receivablesEndMinor);
    const want = await reference(to, ar);
    const got = new Map<string, { dso: number; exhausted: boolean }>([
      ['total', { dso: report.total.countBackDso, exhausted: report.total.countBackExhausted }],
      ...report.groups.map((g) => [String(g.key), { dso: g.countBackDso, exhausted: g.countBackExhausted }] as const),
    ]);
    expect(got).toEqual(want);
    expect(report.groups.map((g) => g.key)).toEqual(AREAS.slice().sort());
    // The four speeds are there: the quick payers exhausted in a month or two, the Isole never within 24 months.
    const byArea = Object.fromEntries(report.groups.map((g) => [g.key, g]));
    expect(byArea.Nord.countBackExhausted).toBe(true);
    expect(byArea.Nord.countBackDso).toBeLessThan(92);
    if (to >= '2026-01-01') expect(byArea.Isole.countBackExhausted).toBe(false);
  });

  it('the areas that pay within three months read only the first slice; the slow ones read further', async () => {
    const quick = await reportCounting({ from: '2026-06-01', to: '2026-06-30' }, { segment: [tag], area: ['Nord'] });
    expect(quick.report.total.countBackExhausted).toBe(true);
    // Three queries for the receivables (balances, later payments, negative balances), one for the newest three months.
    expect(quick.queries).toBe(4);
    const slow = await reportCounting({ from: '2026-06-01', to: '2026-06-30' }, { segment: [tag], area: ['Isole'] });
    expect(slow.report.total.countBackExhausted).toBe(false);
    // The receivables' three, then the slices back to 3, 6, 12 and 24 months.
    expect(slow.queries).toBe(7);
    expect(slow.report.total.countBackDso).toBe(
      countBackWindows('2026-06-30', COUNT_BACK_MONTHS).reduce((s, m) => s + m.days, 0),
    );
  });
});
