/**
 * The dispute report reads the invoices issued in the period and the disputes (two index-friendly branches) instead of
 * every invoice with its disputes aggregated. This test keeps the straightforward query (the one it replaced) and
 * checks both give the same figures, total and per group, on a seeded random population of its own segment: invoices
 * issued over two years, some with one or two disputes opened and resolved (or not) at random, several periods.
 */
import { Prisma } from '../../generated/prisma/client';
import { createDb, type Db } from '../../infra/db';
import { disputeReport } from '../../contexts/reports/kpis';
import { addDays } from '../../contexts/reports/formulas';
import { num, withTotals, type Period } from '../../contexts/reports/filters';
import { seeded } from '../seeded';

jest.setTimeout(60_000);

let db: Db;
const tag = `deq${Date.now().toString(36)}${process.pid}`;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL ?? '', 4);
  const rnd = seeded(7);
  const areas = ['Nord', 'Sud', 'Centro'];
  const customers = Array.from({ length: 12 }, (_, n) => ({
    id: `${tag}-c${n}`,
    externalId: `${tag}-c${n}`,
    name: `Equivalence ${n}`,
    segment: tag,
    area: areas[n % 3],
  }));
  await db.customer.createMany({ data: customers });
  const invoices = [];
  const disputes = [];
  for (let n = 0; n < 300; n++) {
    const id = `${tag}-i${n}`;
    const issue = addDays('2025-01-01', Math.floor(rnd() * 700));
    const amount = 10_000 + Math.floor(rnd() * 500_000);
    invoices.push({
      id,
      externalNumber: id,
      customerId: customers[Math.floor(rnd() * customers.length)].id,
      currency: rnd() < 0.9 ? 'EUR' : 'USD',
      amountMinor: amount,
      balanceMinor: amount,
      issueDate: new Date(`${issue}T00:00:00Z`),
      dueDate: new Date(`${addDays(issue, 30)}T00:00:00Z`),
      stage: 'OPEN',
      segment: tag,
      workflowId: `invoice-${id}`,
    });
    const count = rnd() < 0.25 ? (rnd() < 0.3 ? 2 : 1) : 0;
    for (let d = 0; d < count; d++) {
      const opened = new Date(Date.parse(`${addDays(issue, Math.floor(rnd() * 60))}T09:00:00Z`) + rnd() * 3_600_000);
      const resolved = rnd() < 0.7 ? new Date(opened.getTime() + rnd() * 80 * 86_400_000) : null;
      disputes.push({
        id: `${id}-d${d}`,
        invoiceId: id,
        reasonCode: 'OTHER',
        note: 'equivalence',
        status: resolved ? ['ACCEPTED', 'REJECTED', 'PARTIAL'][Math.floor(rnd() * 3)] : 'OPEN',
        openedBy: 'u-test',
        openedAt: opened,
        resolvedAt: resolved,
      });
    }
  }
  await db.invoice.createMany({ data: invoices });
  await db.dispute.createMany({ data: disputes });
});
afterAll(async () => {
  await db?.$disconnect();
});

type Row = { k: string | null; is_total: number | bigint } & Record<string, unknown>;

/** The query the report used before (every invoice, its disputes aggregated per invoice), grouped by area. */
async function reference(period: Period, currency: string): Promise<Row[]> {
  const end = addDays(period.to, 1);
  return db.$queryRaw<Row[]>(Prisma.sql`
    SELECT k, GROUPING(k) AS is_total,
      COUNT(*) FILTER (WHERE issued) AS issued, SUM(amt) FILTER (WHERE issued) AS issued_amt,
      COUNT(*) FILTER (WHERE issued AND disputed) AS disputed, SUM(amt) FILTER (WHERE issued AND disputed) AS disputed_amt,
      SUM(resolved) AS resolved, SUM(accepted) AS accepted, SUM(rejected) AS rejected, SUM(partial) AS partial,
      SUM(resolve_ms) AS resolve_ms, SUM(open_at_end) AS open_at_end
    FROM (
      SELECT c.area AS k, i."amountMinor" AS amt,
        (i."issueDate" BETWEEN ${period.from}::date AND ${period.to}::date) AS issued, (d.n > 0) AS disputed,
        COALESCE(d.resolved, 0) AS resolved, COALESCE(d.accepted, 0) AS accepted,
        COALESCE(d.rejected, 0) AS rejected, COALESCE(d.partial, 0) AS partial,
        COALESCE(d.resolve_ms, 0) AS resolve_ms, COALESCE(d.open_at_end, 0) AS open_at_end
      FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
      LEFT JOIN (
        SELECT "invoiceId", COUNT(*) AS n,
          COUNT(*) FILTER (WHERE in_p) AS resolved,
          COUNT(*) FILTER (WHERE in_p AND status = 'ACCEPTED') AS accepted,
          COUNT(*) FILTER (WHERE in_p AND status = 'REJECTED') AS rejected,
          COUNT(*) FILTER (WHERE in_p AND status = 'PARTIAL') AS partial,
          ROUND(SUM(EXTRACT(EPOCH FROM ("resolvedAt" - "openedAt")) * 1000) FILTER (WHERE in_p)) AS resolve_ms,
          COUNT(*) FILTER (WHERE "openedAt" < ${end}::date AND ("resolvedAt" IS NULL OR "resolvedAt" >= ${end}::date)) AS open_at_end
        FROM (SELECT *, ("resolvedAt" >= ${period.from}::date AND "resolvedAt" < ${end}::date) AS in_p FROM "Dispute") dd
        GROUP BY "invoiceId"
      ) d ON d."invoiceId" = i.id
      WHERE i.currency = ${currency} AND c.segment = ${tag}
        AND (i."issueDate" BETWEEN ${period.from}::date AND ${period.to}::date OR d.n > 0)
    ) x GROUP BY GROUPING SETS ((k), ())`);
}

const canon = (rows: Row[]) =>
  rows
    .map((r) => Object.fromEntries(Object.entries(r).map(([key, v]) => [key, key === 'k' ? v : num(v)])))
    .sort((a, b) => Number(b.is_total) - Number(a.is_total) || String(a.k).localeCompare(String(b.k)));

describe('dispute report: the two-branch query equals the per-invoice one', () => {
  const periods: Period[] = [
    { from: '2025-03-01', to: '2025-03-31' },
    { from: '2025-01-01', to: '2025-12-31' },
    { from: '2026-06-01', to: '2026-08-31' },
    { from: '2024-01-01', to: '2024-12-31' },
  ];
  it.each(periods.flatMap((p) => ['EUR', 'USD'].map((c) => [p.from, p.to, c] as const)))(
    '%s – %s in %s',
    async (from, to, currency) => {
      const want = canon(await reference({ from, to }, currency));
      // The same SQL the report runs, seen through its raw rows: spy on the one query it makes.
      let raw: Row[] = [];
      const spy = jest.spyOn(db, '$queryRaw').mockImplementation((async (...args: unknown[]) => {
        spy.mockRestore();
        raw = await (db.$queryRaw as (...a: unknown[]) => Promise<Row[]>)(...args);
        return raw;
      }) as never);
      const report = await disputeReport(db, { from, to }, { currency, segment: [tag], groupBy: 'area' });
      // The query returns the group rows; the totals are the groups summed (withTotals, as the report does).
      expect(canon(withTotals(raw, 'area'))).toEqual(want);
      expect(want.length).toBeGreaterThan(0);
      expect(report.groups.map((g) => g.key)).toEqual(want.filter((r) => !Number(r.is_total)).map((r) => r.k));
    },
  );
});
