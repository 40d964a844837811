/**
 * Benchmark of the reports (not a test): generates 100,000 invoices and 20,000 customers with payments, promises,
 * disputes, reasons, timeline and legal cases directly in PostgreSQL (generate_series, seeded random; the
 * StageSpell triggers fill that table as the rows go in), then times every report. By default it starts a
 * throw-away embedded PostgreSQL on a free port and migrates it.
 *
 *   npx tsx scripts/bench-reports.ts [--invoices 100000] [--customers 20000] [--runs 3]
 *                                    [--database-url postgresql://…  (use an existing, migrated database; keeps data)]
 *                                    [--pdf /tmp/report.pdf  (also writes the monthly PDF there)]
 *                                    [--reports-only  (times the reports only: no batch jobs, no snapshot history
 *                                                      written; at 1,000,000 invoices the batch jobs take most of
 *                                                      an hour on a loaded machine)]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../infra/db';
import type { RunningPg } from '../dev/embedded-pg';
import { ensureDefaultPolicies } from '../contexts/policies/store';
import { freePort } from '../dev/ports';
import { addDays } from '../contexts/reports/formulas';
import {
  agingReport,
  disputeReport,
  dsoReport,
  pipelineReport,
  promiseReport,
  reasonReport,
  recoveryReport,
} from '../contexts/reports/kpis';
import { legalReport } from '../contexts/reports/legal';
import { monthlyReportPdf } from '../contexts/reports/pdf';
import { recomputeAllRatings, recomputeRating } from '../contexts/reports/rating';
import { simulatePolicy } from '../contexts/reports/simulate';
import { previousMonth, trend, writeMonthlySnapshot } from '../contexts/reports/snapshots';
import { DEFAULT_POLICIES } from '../domain/policy';
import { PROJECT_ROOT } from '../infra/tools';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const INVOICES = Number(arg('invoices', '100000'));
const CUSTOMERS = Number(arg('customers', '20000'));
const RUNS = Number(arg('runs', '3'));
const REPORTS_ONLY = process.argv.includes('--reports-only');

async function generate(db: Db): Promise<void> {
  const x = (sql: string) => db.$executeRawUnsafe(sql);
  await x(`SELECT setseed(0.42)`);
  await x(
    `INSERT INTO "User" (id, name, role) SELECT 'u-bench-col-' || g, 'Collector ' || g, 'collector' FROM generate_series(1, 20) g ON CONFLICT DO NOTHING`,
  );
  await x(
    `INSERT INTO "User" (id, name, role) SELECT 'u-bench-sales-' || g, 'Salesperson ' || g, 'salesperson' FROM generate_series(1, 10) g ON CONFLICT DO NOTHING`,
  );
  await x(`
    INSERT INTO "Customer" (id, "externalId", name, segment, area, "collectorId", "salespersonId", "creditLimitMinor", rating, "updatedAt")
    SELECT 'bc-' || g, 'BC-' || g, 'Bench customer ' || g,
      (ARRAY['standard','utilities','retail','public'])[1 + floor(random() * 4)::int],
      (ARRAY['Nord','Centro','Sud','Isole','Estero'])[1 + floor(random() * 5)::int],
      'u-bench-col-' || (1 + floor(random() * 20)::int), 'u-bench-sales-' || (1 + floor(random() * 10)::int),
      CASE WHEN random() < 0.8 THEN (500000 + floor(random() * 9500000))::bigint END, 'C', now()
    FROM generate_series(1, ${CUSTOMERS}) g`);
  // Each customer gets a payment habit (mean days late); each invoice a fate drawn against it.
  await x(`DROP TABLE IF EXISTS bench_inv`);
  await x(`
    CREATE TEMP TABLE bench_inv AS
    WITH c AS (SELECT id, segment, (random() * random() * 90)::int AS habit FROM "Customer" WHERE id LIKE 'bc-%'),
    cc AS (SELECT id, segment, habit, row_number() OVER () AS n FROM c),
    base AS (
      SELECT g, 1 + floor(random() * ${CUSTOMERS})::int AS cn, current_date - floor(random() * 730)::int AS iss,
        (ARRAY[30, 60, 90])[1 + floor(random() * 3)::int] AS terms, (10000 + floor(random() * 990000))::bigint AS amt,
        random() AS r1, random() AS r2
      FROM generate_series(1, ${INVOICES}) g
    )
    SELECT 'bi-' || b.g AS id, cc.id AS cid, cc.segment, b.iss, b.iss + b.terms AS due, b.amt, b.r1,
      (b.iss + b.terms + (cc.habit * 2 * b.r2)::int - 10) AS pay_date
    FROM base b JOIN cc ON cc.n = b.cn`);
  await x(`
    INSERT INTO "Invoice" (id, "externalNumber", "customerId", currency, "amountMinor", "balanceMinor", "issueDate", "dueDate",
      stage, segment, "workflowId", "closedAt", "updatedAt")
    SELECT id, id, cid, 'EUR', amt,
      CASE WHEN r1 < 0.85 AND pay_date <= current_date THEN 0
           WHEN r1 < 0.92 AND pay_date <= current_date THEN amt - amt / 2 ELSE amt END,
      iss, due,
      CASE WHEN r1 < 0.85 AND pay_date <= current_date THEN 'PAID'
           WHEN r1 >= 0.97 AND due + 200 <= current_date THEN 'WRITTEN_OFF'
           WHEN current_date - due <= 0 THEN 'OPEN'
           WHEN current_date - due <= 14 THEN 'REMINDER'
           WHEN current_date - due <= 30 THEN (CASE WHEN r1 > 0.95 THEN 'PROMISE_WAIT' ELSE 'CALL' END)
           WHEN current_date - due <= 60 THEN 'ORDER_BLOCK'
           WHEN current_date - due <= 120 THEN 'FORMAL_NOTICE' ELSE 'LEGAL' END,
      segment, 'invoice-' || id,
      CASE WHEN r1 < 0.85 AND pay_date <= current_date THEN pay_date + interval '10 hours'
           WHEN r1 >= 0.97 AND due + 200 <= current_date THEN due + 200 + interval '9 hours' END,
      now()
    FROM bench_inv`);
  await x(`
    INSERT INTO "Payment" (id, "invoiceId", reference, "amountMinor", "paidOn")
    SELECT 'bp-' || id, id, 'ref-' || id, CASE WHEN r1 < 0.85 THEN amt ELSE amt / 2 END, pay_date
    FROM bench_inv WHERE r1 < 0.92 AND pay_date <= current_date`);
  // Stage entries the workflow would have mirrored: each threshold passed before payment (or today).
  await x(`
    INSERT INTO "TimelineEntry" (id, "invoiceId", at, kind, stage, summary)
    SELECT 'bt-' || b.id || '-' || s.stage, b.id, (b.due + s.d) + interval '8 hours', 'STAGE', s.stage, s.stage || ' sent'
    FROM bench_inv b
    JOIN (VALUES ('REMINDER', 3), ('CALL', 15), ('ORDER_BLOCK', 31), ('FORMAL_NOTICE', 61), ('LEGAL', 121)) AS s(stage, d)
      ON b.due + s.d < LEAST(current_date, CASE WHEN b.r1 < 0.92 THEN b.pay_date ELSE current_date END)`);
  await x(`
    INSERT INTO "TimelineEntry" (id, "invoiceId", at, kind, stage, summary)
    SELECT 'bt-' || id || '-PAID', id, pay_date + interval '10 hours', 'STAGE', 'PAID', 'paid in full'
    FROM bench_inv WHERE r1 < 0.85 AND pay_date <= current_date AND pay_date > due`);
  await x(`
    INSERT INTO "PaymentPromise" (id, "invoiceId", "promisedDate", "amountMinor", status, "recordedBy")
    SELECT 'bpp-' || id, id, due + 20, amt,
      CASE WHEN r1 < 0.92 AND pay_date <= due + 22 THEN 'KEPT' WHEN due + 22 < current_date THEN 'BROKEN' ELSE 'OPEN' END,
      'u-bench-col-1'
    FROM bench_inv WHERE pay_date > due + 10 AND due + 10 < current_date AND random() < 0.45`);
  await x(`
    INSERT INTO "Dispute" (id, "invoiceId", "reasonCode", note, status, "openedBy", "openedAt", "resolvedAt")
    SELECT 'bd-' || id, id, (ARRAY['DEFECTIVE_GOODS','PRICE_DISAGREEMENT','GOODS_NOT_RECEIVED','OTHER'])[1 + floor(random() * 4)::int], 'bench',
      CASE WHEN iss + 45 > current_date THEN 'OPEN' ELSE (ARRAY['REJECTED','REJECTED','ACCEPTED','PARTIAL'])[1 + floor(random() * 4)::int] END,
      'u-bench-col-1', iss + 10 + interval '9 hours',
      CASE WHEN iss + 45 > current_date THEN NULL ELSE iss + 10 + (random() * 35) * interval '1 day' END
    FROM bench_inv WHERE random() < 0.05`);
  await x(`
    INSERT INTO "ContactEvent" (id, "idempotencyKey", "customerId", "invoiceId", channel, status, "reasonCode", "createdAt", "updatedAt")
    SELECT 'bce-' || id, 'bce-' || id, cid, id, 'CALL_LOG', 'COMPLETED',
      (ARRAY['LIQUIDITY','LIQUIDITY','LIQUIDITY','FORGOT','FORGOT','DISPUTE','WAITING_APPROVAL','INVOICE_NOT_RECEIVED','WRONG_DATA','INSOLVENCY','UNREACHABLE','OTHER'])[1 + floor(random() * 12)::int],
      due + 16 + interval '10 hours', now()
    FROM bench_inv WHERE due + 16 < LEAST(current_date, pay_date) AND random() < 0.6`);
  await x(`
    INSERT INTO "ContactEvent" (id, "idempotencyKey", "customerId", "invoiceId", channel, status, "createdAt", "updatedAt")
    SELECT 'bcm-' || id, 'bcm-' || id, cid, id, 'EMAIL', 'SENT', due + 3 + interval '9 hours', now()
    FROM bench_inv WHERE due + 3 < LEAST(current_date, pay_date)`);
  await x(`
    INSERT INTO "Task" (id, "idempotencyKey", kind, status, "invoiceId", "customerId", "dueAt", outcome, "completedAt")
    SELECT 'btk-' || id, 'btk-' || id, 'CALL', 'DONE', id, cid, due + 15, jsonb_build_object('outcome', 'REACHED', 'reasonCode',
      (ARRAY['LIQUIDITY','FORGOT','WAITING_APPROVAL','INVOICE_NOT_RECEIVED'])[1 + floor(random() * 4)::int]),
      due + 17 + interval '11 hours'
    FROM bench_inv WHERE due + 17 < LEAST(current_date, pay_date) AND random() < 0.3`);
  await x(`
    INSERT INTO "LegalCase" (id, "invoiceId", "customerId", status, lawyer, "costsMinor")
    SELECT 'blc-' || id, id, "customerId", 'OPEN', 'Avv. Bench', 15000 FROM "Invoice" WHERE id LIKE 'bi-%' AND stage = 'LEGAL'`);
  await x(`
    INSERT INTO "LegalCaseEvent" (id, "caseId", step, date, "costMinor")
    SELECT 'blce-' || lc.id, lc.id, CASE WHEN random() < 0.5 THEN 'DIFFIDA' ELSE 'DECRETO_INGIUNTIVO' END, current_date - 10, 15000
    FROM "LegalCase" lc WHERE lc.id LIKE 'blc-%'`);
  await x(`ANALYZE`);
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

async function main(): Promise<void> {
  let pg: RunningPg | null = null;
  let tmp: string | null = null;
  let url = arg('database-url');
  if (!url) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-bench-'));
    fs.chmodSync(tmp, 0o755);
    const port = await freePort();
    process.stderr.write(`starting PostgreSQL on 127.0.0.1:${port} in ${tmp}\n`);
    // Imported only when needed: the package installs exit hooks that misbehave when it never started a server.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startEmbeddedPg } = require('../dev/embedded-pg') as typeof import('../dev/embedded-pg');
    pg = await startEmbeddedPg({ dataDir: path.join(tmp, 'pg'), port, database: 'bench', ephemeral: true });
    url = pg.url;
    const res = spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/prisma'), ['migrate', 'deploy'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`prisma migrate deploy failed:\n${res.stdout}\n${res.stderr}`);
  }
  const db = createDb(url, 4);
  try {
    await ensureDefaultPolicies(db);
    const existing = await db.invoice.count({ where: { id: { startsWith: 'bi-' } } });
    if (existing === 0) {
      const g = await time(() => generate(db));
      process.stderr.write(
        `generated ${INVOICES} invoices / ${CUSTOMERS} customers in ${(g.ms / 1000).toFixed(1)} s\n`,
      );
    } else process.stderr.write(`using the ${existing} bench invoices already in the database\n`);
    const counts = await db.$queryRawUnsafe<Array<Record<string, bigint>>>(`
      SELECT (SELECT COUNT(*) FROM "Customer") AS customers, (SELECT COUNT(*) FROM "Invoice") AS invoices,
        (SELECT COUNT(*) FROM "Payment") AS payments, (SELECT COUNT(*) FROM "PaymentPromise") AS promises,
        (SELECT COUNT(*) FROM "Dispute") AS disputes, (SELECT COUNT(*) FROM "ContactEvent") AS contacts,
        (SELECT COUNT(*) FROM "Task") AS tasks, (SELECT COUNT(*) FROM "TimelineEntry") AS timeline,
        (SELECT COUNT(*) FROM "LegalCase") AS legal_cases`);
    console.log(
      Object.entries(counts[0])
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    );

    const today = new Date().toISOString().slice(0, 10);
    const p90 = { from: addDays(today, -89), to: today };
    const p365 = { from: addDays(today, -364), to: today };
    const lastMonth = previousMonth(today);
    // Twelve months of snapshots first, so the trend and the PDF have history (the last one is timed below).
    let m = lastMonth;
    const months: string[] = [];
    for (let i = 0; i < 12; i++) {
      months.unshift(m);
      m = previousMonth(`${m}-01`);
    }
    if (REPORTS_ONLY)
      process.stderr.write('--reports-only: no snapshot history written (the trend reads what is there)\n');
    else {
      // The monthly job's time, month by month: it should not grow with the month's place in the history.
      const each: number[] = [];
      for (const mo of months.slice(0, -1)) each.push((await time(() => writeMonthlySnapshot(db, mo))).ms);
      console.log(`snapshot history: ${each.length} months in ${each.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    }
    const customerId = 'bc-1';

    const cases: Array<[string, () => Promise<unknown>]> = [
      ['dso 90 days (total)', () => dsoReport(db, p90)],
      ['dso 90 days by segment', () => dsoReport(db, p90, { groupBy: 'segment' })],
      ['dso 365 days by collector', () => dsoReport(db, p365, { groupBy: 'collector' })],
      ['dso 90 days, area=Nord', () => dsoReport(db, p90, { area: ['Nord'] })],
      ['aging today (total)', () => agingReport(db, today)],
      ['aging today by salesperson', () => agingReport(db, today, { groupBy: 'salesperson' })],
      ['promises 365 days by collector', () => promiseReport(db, p365, { groupBy: 'collector' })],
      ['disputes 365 days by segment', () => disputeReport(db, p365, { groupBy: 'segment' })],
      ['reasons 365 days by area', () => reasonReport(db, p365, { groupBy: 'area' })],
      ['pipeline today by segment', () => pipelineReport(db, today, { groupBy: 'segment' })],
      ['recovery 90 days by segment', () => recoveryReport(db, p90, { groupBy: 'segment' })],
      ['recovery 365 days (total)', () => recoveryReport(db, p365)],
      ['legal cost-benefit (all cases)', () => legalReport(db)],
      ['trend 12 months (snapshots)', () => trend(db, { fromMonth: months[0], toMonth: lastMonth })],
      ['rating: one customer', () => recomputeRating(db, customerId)],
      ['rating: all customers (nightly)', () => recomputeAllRatings(db)],
      ['monthly snapshot (write one month)', () => writeMonthlySnapshot(db, lastMonth)],
      [
        'simulate 6 months (all invoices)',
        () =>
          simulatePolicy(db, {
            months: 6,
            policy: { name: 'faster', steps: DEFAULT_POLICIES[0].steps.map((s) => ({ ...s })) },
          }),
      ],
      ['monthly PDF', () => monthlyReportPdf(db, { month: lastMonth })],
      // What the StageSpell triggers add to a write: one invoice's stays rebuilt (a stage entry or a payment), and
      // the whole table rebuilt (after a restore).
      ['stage spells: one invoice rebuilt', () => db.$executeRaw`SELECT segugio_refresh_stage_spells(ARRAY['bi-42'])`],
      [
        'stage spells: all invoices rebuilt',
        () => db.$executeRaw`SELECT segugio_refresh_stage_spells(ARRAY(SELECT id FROM "Invoice"))`,
      ],
    ];
    // The reports end with 'rating: one customer'; what follows are the batch jobs and downloads.
    if (REPORTS_ONLY) cases.splice(cases.findIndex(([name]) => name === 'rating: one customer') + 1);
    console.log(
      `\n${'report'.padEnd(40)} ${'first'.padStart(9)} ${'median'.padStart(9)} ${'best'.padStart(9)}   (ms, ${RUNS} runs)`,
    );
    for (const [name, fn] of cases) {
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) runs.push((await time(fn)).ms);
      const sorted = [...runs].sort((a, b) => a - b);
      console.log(
        `${name.padEnd(40)} ${runs[0].toFixed(0).padStart(9)} ${sorted[Math.floor(sorted.length / 2)].toFixed(0).padStart(9)} ${sorted[0].toFixed(0).padStart(9)}`,
      );
    }
    const pdfOut = arg('pdf');
    if (pdfOut) fs.writeFileSync(pdfOut, await monthlyReportPdf(db, { month: lastMonth }));
  } finally {
    await db.$disconnect();
    if (pg) await pg.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
