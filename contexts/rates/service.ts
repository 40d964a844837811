/**
 * Reference rates as people enter them (the ECB main refinancing rate in force on 1 January and 1 July, D.Lgs.
 * 231/2002 art. 5, published each half-year by the Ministry of Economy in the Gazzetta Ufficiale): the table the
 * letters compute with, which half-years are still provisional, the entry of a rate with its source, and the
 * manager task that asks for it from the 5th working day of each half-year until it is entered. Never invents a rate:
 * a half-year without one uses the last known rate and every text that shows interest says "provisional".
 */
import { z } from 'zod';
import type { Db } from '../../infra/db';
import { nthBusinessDay } from '../../domain/calendar';
import { halfYearStart } from '../../domain/interest';
import { BUNDLED_REFERENCE_RATES, mergeRates, REFERENCE_RATES_SOURCE } from '../../domain/reference-rates';

export const RATE_TASK_KIND = 'ENTER_REFERENCE_RATE';
/** The task for a half-year: one per period, whatever the number of runs. */
export const rateTaskKey = (periodStart: string): string => `reference-rate:${periodStart}`;
/** The working day of the half-year on which the task opens (the MEF communiqué is out by then in practice). */
export const RATE_TASK_WORKING_DAY = 5;

export const rateParams = z
  .object({
    validFrom: z
      .string()
      .regex(/^\d{4}-(01|07)-01$/, 'must be 1 January or 1 July of a year (YYYY-01-01 or YYYY-07-01)'),
  })
  .strict();

export const rateBody = z
  .object({
    /** Basis points of the ECB rate itself, without the 8 points: 215 = 2.15 %. */
    rateBp: z.number().int('must be an integer number of basis points').min(-1000).max(5000),
    /** Where the figure comes from, e.g. "G.U. Serie Generale n. 160 del 12 luglio 2026, comunicato MEF". */
    source: z.string().trim().min(8, 'name the publication, e.g. the Gazzetta Ufficiale issue').max(300),
  })
  .strict();
export type RateBody = z.infer<typeof rateBody>;

export interface RateRow {
  validFrom: string;
  rateBp: number;
  source: string;
  origin: 'bundled' | 'entered';
  updatedAt: string | null;
}

export interface RateStatus {
  /** The half-year containing `today`. */
  periodStart: string;
  /** True when that half-year has its own rate; false: letters use `usedFrom`'s rate and say "provisional". */
  published: boolean;
  rateBp: number;
  usedFrom: string;
  /** Statutory rate applied to B2B invoices (+8 points). */
  statutoryRateBp: number;
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);

/** The bundled table with the entered rows laid over it, each with where it comes from. */
export async function rateTable(db: Db): Promise<RateRow[]> {
  const rows = await db.referenceRate.findMany();
  const entered = new Map(rows.map((r) => [iso(r.validFrom), r]));
  const merged = mergeRates(
    BUNDLED_REFERENCE_RATES,
    rows.map((r) => ({ validFrom: iso(r.validFrom), rateBp: r.rateBp })),
  );
  return merged.map((r) => {
    const row = entered.get(r.validFrom);
    return row
      ? { ...r, source: row.source, origin: 'entered', updatedAt: row.updatedAt.toISOString() }
      : { ...r, source: REFERENCE_RATES_SOURCE, origin: 'bundled', updatedAt: null };
  });
}

/** Whether the half-year of `today` has its published rate, and which rate the letters use. */
export function rateStatus(table: Array<{ validFrom: string; rateBp: number }>, today: string): RateStatus {
  const periodStart = halfYearStart(today);
  const known = table.filter((r) => r.validFrom <= periodStart).sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  const last = known[known.length - 1];
  if (!last) throw new Error(`no reference rate at or before ${periodStart}`);
  return {
    periodStart,
    published: last.validFrom === periodStart,
    rateBp: last.rateBp,
    usedFrom: last.validFrom,
    statutoryRateBp: last.rateBp + 800,
  };
}

/** GET view: the table, today's status and the half-years since 2019 that have no rate. */
export async function referenceRatesView(db: Db, today: string) {
  const rates = await rateTable(db);
  const status = rateStatus(rates, today);
  const have = new Set(rates.map((r) => r.validFrom));
  const missing: string[] = [];
  for (let y = Number(rates[0].validFrom.slice(0, 4)); `${y}-01-01` <= status.periodStart; y++) {
    for (const h of [`${y}-01-01`, `${y}-07-01`]) if (h <= status.periodStart && !have.has(h)) missing.push(h);
  }
  return { today, current: status, provisional: !status.published, missing, rates };
}

export class RateRejected extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Stores the rate of a half-year (new or corrected) with its source and closes that half-year's open task.
 * Refuses a half-year that has not started: the rate in force on a date cannot be known before it.
 */
export async function putReferenceRate(
  db: Db,
  validFrom: string,
  body: RateBody,
  actorId: string | null,
  today: string,
): Promise<{ created: boolean; before: RateRow | null; after: RateRow; tasksClosed: number }> {
  if (validFrom > halfYearStart(today)) {
    throw new RateRejected('validFrom', `the half-year starting ${validFrom} has not begun: its rate is not known yet`);
  }
  const table = await rateTable(db);
  const before = table.find((r) => r.validFrom === validFrom) ?? null;
  const row = await db.referenceRate.upsert({
    where: { validFrom: new Date(`${validFrom}T00:00:00Z`) },
    create: { validFrom: new Date(`${validFrom}T00:00:00Z`), rateBp: body.rateBp, source: body.source },
    update: { rateBp: body.rateBp, source: body.source },
  });
  const closed = await db.task.updateMany({
    where: { idempotencyKey: rateTaskKey(validFrom), status: 'OPEN' },
    data: {
      status: 'DONE',
      completedAt: new Date(),
      outcome: { rateBp: body.rateBp, source: body.source, enteredBy: actorId },
    },
  });
  return {
    created: before?.origin !== 'entered',
    before,
    after: {
      validFrom,
      rateBp: row.rateBp,
      source: row.source,
      origin: 'entered',
      updatedAt: row.updatedAt.toISOString(),
    },
    tasksClosed: closed.count,
  };
}

/**
 * From the 5th working day (Saturdays off) of the half-year of `today`: if its rate is still missing, opens one
 * ENTER_REFERENCE_RATE task for the credit managers (idempotent per half-year). Returns what it found and did.
 */
export async function ensureReferenceRateTask(
  db: Db,
  today: string,
  now = new Date(),
): Promise<{ periodStart: string; opensOn: string; published: boolean; opened: boolean }> {
  const table = await rateTable(db);
  const status = rateStatus(table, today);
  const opensOn = nthBusinessDay(
    Number(status.periodStart.slice(0, 4)),
    Number(status.periodStart.slice(5, 7)),
    RATE_TASK_WORKING_DAY,
    { saturdayIsHoliday: true },
  );
  if (status.published || today < opensOn) {
    return { periodStart: status.periodStart, opensOn, published: status.published, opened: false };
  }
  const created = await db.task.createMany({
    data: [
      {
        idempotencyKey: rateTaskKey(status.periodStart),
        kind: RATE_TASK_KIND,
        customerId: null,
        assigneeId: null,
        dueAt: now,
        note:
          `Enter the ECB reference rate in force on ${status.periodStart} (D.Lgs. 231/2002 art. 5) with its source ` +
          `(Gazzetta Ufficiale issue): PUT /v1/reference-rates/${status.periodStart} or ` +
          `"segugio rates set ${status.periodStart} --bp N --source TEXT". Until then letters use ` +
          `${status.rateBp} bp of ${status.usedFrom} and say the interest is provisional.`,
      },
    ],
    skipDuplicates: true,
  });
  return { periodStart: status.periodStart, opensOn, published: false, opened: created.count > 0 };
}
