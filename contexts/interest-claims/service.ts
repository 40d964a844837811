/**
 * Interest debit notes as the API serves them: the preview (nothing written), the issue (one numbered note per
 * request: series ND and the year, the lines that later notes will not claim again, the PDF, the audit event, all in
 * one transaction), the list and the download. A refused request writes nothing.
 *
 * Refusals, each with a stable code the console translates: REFERENCE_RATE_MISSING (a half-year's reference rate, or a
 * year's legal rate, is not entered: no figure is invented), INTEREST_WAIVED (a waiver of the customer or the policy
 * removes the whole claim), NOTHING_TO_CLAIM (no invoice paid late or overdue, or all already claimed),
 * IDEMPOTENCY_KEY_REUSED (the same key with another request).
 */
import crypto from 'node:crypto';
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import type { Letterhead } from '../../infra/pdf';
import type { BusinessCalendar } from '../../domain/calendar';
import { postalAddressLines } from '../../domain/format';
import type { Allocation } from '../../domain/interest';
import { BUNDLED_LEGAL_RATES } from '../../domain/reference-rates';
import { todayIn } from '../../domain/time';
import { LANGUAGES, type Language } from '../../workflows/contract';
import { assertCustomerAccess } from '../access/access';
import { auditRow, type Actor } from '../access/audit';
import type { Principal } from '../access/auth';
import { findCustomer } from '../collections/customers';
import { badRequest, HttpError, notFound } from '../errors';
import { rateTable } from '../rates/service';
import { composeNote, type NoteComputation, type PriorClaim, type WaiverInForce } from './note';
import { renderNotePdf, type NoteDocument } from './pdf';
import type { IssueNoteBody } from './schemas';
import { waiverInForce } from './waivers';

export const NOTE_SERIES = 'ND';
export const NOTE_ISSUE_ACTION = 'interest-note.issue';

export interface NoteDeps {
  db: Db;
  timeZone: string;
  extraHolidays: readonly string[];
  letterhead: Letterhead;
  /** SEGUGIO_B2C_INTEREST_BP: one flat rate for consumers instead of the legal-rate table. */
  consumerFlatRateBp?: number;
}

type CustomerRow = Awaited<ReturnType<typeof findCustomer>>;
const iso = (d: Date): string => d.toISOString().slice(0, 10);
const day = (s: string): Date => new Date(`${s}T00:00:00Z`);

function languageOf(c: CustomerRow, lang?: Language): Language {
  if (lang) return lang;
  return (LANGUAGES as readonly string[]).includes(c.language) ? (c.language as Language) : 'it';
}

function checkAsOf(asOf: string | undefined, today: string): string {
  const d = asOf ?? today;
  if (d > today) {
    throw badRequest('request is not valid', [
      {
        path: 'asOf',
        message: 'must be today or earlier: interest is claimed only once it has accrued',
        code: 'too_big',
        params: { maximum: today },
      },
    ]);
  }
  return d;
}

/** The prior claims of a customer's invoices: the last day claimed and the interest, the EUR 40 once. */
async function priorClaims(db: Pick<Db, 'interestNoteLine'>, invoiceIds: string[]): Promise<Map<string, PriorClaim>> {
  const rows = await db.interestNoteLine.findMany({ where: { invoiceId: { in: invoiceIds } } });
  const map = new Map<string, PriorClaim>();
  for (const r of rows) {
    const p = map.get(r.invoiceId) ?? { to: '0000-01-01', interestMinor: 0, compensationClaimed: false };
    const to = iso(r.to);
    map.set(r.invoiceId, {
      to: to > p.to ? to : p.to,
      interestMinor: p.interestMinor + toNumber(r.interestMinor),
      compensationClaimed: p.compensationClaimed || r.compensationEurMinor > 0,
    });
  }
  return map;
}

/** Computes the note of one customer as of a day in one currency (the only one with claims when not given). */
async function computeFor(
  deps: NoteDeps,
  db: Db | Parameters<Parameters<Db['$transaction']>[0]>[0],
  c: CustomerRow,
  asOf: string,
  currency: string | undefined,
): Promise<NoteComputation> {
  const [invoices, policy, rates] = await Promise.all([
    db.invoice.findMany({ where: { customerId: c.id }, include: { payments: true } }),
    db.dunningPolicy.findFirst({ where: { segment: c.segment }, orderBy: { version: 'desc' } }),
    rateTable(db as Db),
  ]);
  const settings = (policy?.settings ?? {}) as {
    saturdayIsHoliday?: boolean;
    paymentAllocation?: Allocation;
    interestWaiver?: { interest?: boolean; compensation?: boolean };
  };
  const calendar: BusinessCalendar = {
    saturdayIsHoliday: settings.saturdayIsHoliday === true,
    extraHolidays: [...deps.extraHolidays],
  };
  const waiver: WaiverInForce | null = await waiverInForce(db as Db, c.id, asOf, settings.interestWaiver);
  const prior = await priorClaims(
    db as Db,
    invoices.map((i) => i.id),
  );
  const rows = invoices.map((i) => ({
    id: i.id,
    number: i.externalNumber,
    currency: i.currency,
    amountMinor: toNumber(i.amountMinor),
    balanceMinor: toNumber(i.balanceMinor),
    dueDate: iso(i.dueDate),
    stage: i.stage,
    payments: i.payments
      .filter((p) => iso(p.paidOn) <= asOf || p.signalledAt !== null)
      .map((p) => ({ amountMinor: toNumber(p.amountMinor), paidOn: iso(p.paidOn), applied: p.signalledAt !== null })),
  }));
  const compose = (cur: string) =>
    composeNote({
      asOf,
      currency: cur,
      consumer: c.consumer,
      invoices: rows,
      prior,
      referenceRates: rates.map((r) => ({ validFrom: r.validFrom, rateBp: r.rateBp })),
      legalRates: BUNDLED_LEGAL_RATES,
      consumerFlatRateBp: deps.consumerFlatRateBp,
      calendar,
      allocation: settings.paymentAllocation,
      waiver,
    });
  if (currency) return compose(currency);
  const byCurrency = [...new Set(rows.map((r) => r.currency))].sort().map(compose);
  const withClaims = byCurrency.filter((n) => n.lines.length);
  if (withClaims.length > 1) {
    throw badRequest('request is not valid', [
      {
        path: 'currency',
        message: `the customer has claims in ${withClaims.map((n) => n.currency).join(', ')}: choose one (a note never adds currencies)`,
        code: 'required',
        params: { currencies: withClaims.map((n) => n.currency) },
      },
    ]);
  }
  return withClaims[0] ?? byCurrency.find((n) => n.waivedInvoices.length) ?? byCurrency[0] ?? compose('EUR');
}

function documentOf(
  deps: NoteDeps,
  c: CustomerRow,
  note: NoteComputation,
  lang: Language,
  issueDate: string,
  number: string | null,
): NoteDocument {
  const lh = deps.letterhead;
  return {
    number,
    issueDate,
    language: lang,
    customer: {
      id: c.id,
      externalId: c.externalId,
      name: c.name,
      vatNumber: c.vatNumber,
      pec: c.pec,
      addressLines: postalAddressLines(c),
      consumer: c.consumer,
    },
    creditor: { name: lh.name, iban: lh.iban, ...(lh.bic ? { bic: lh.bic } : {}), email: lh.email },
    note,
  };
}

/** Why a computed note cannot be issued, or null when it can. */
function refusal(note: NoteComputation): HttpError | null {
  if (note.missingRates.length) {
    return new HttpError(
      422,
      'REFERENCE_RATE_MISSING',
      `the rate of ${note.missingRates.join(', ')} is not entered: the interest cannot be stated (PUT /v1/reference-rates/:validFrom)`,
      undefined,
      undefined,
      { code: 'REFERENCE_RATE_MISSING', params: { periods: note.missingRates } },
    );
  }
  if (!note.lines.length && note.waivedInvoices.length && note.waiver) {
    return new HttpError(
      422,
      'INTEREST_WAIVED',
      `late-payment ${[note.waiver.interest && 'interest', note.waiver.compensation && 'compensation'].filter(Boolean).join(' and ')} waived for this customer (${note.waiver.source})`,
      undefined,
      undefined,
      {
        code: 'INTEREST_WAIVED',
        params: {
          source: note.waiver.source,
          interest: note.waiver.interest,
          compensation: note.waiver.compensation,
          fromDate: note.waiver.fromDate ?? null,
          invoices: note.waivedInvoices,
        },
      },
    );
  }
  if (!note.lines.length || (note.totalMinor ?? 0) + note.compensationEurMinor <= 0) {
    return new HttpError(
      422,
      'NOTHING_TO_CLAIM',
      'no invoice paid late or overdue with interest not yet claimed',
      undefined,
      undefined,
      {
        code: 'NOTHING_TO_CLAIM',
      },
    );
  }
  return null;
}

/** The note as it would be issued now (nothing written): JSON with `issuable` and, when not, the reason. */
export async function previewNote(
  deps: NoteDeps,
  p: Principal,
  idOrExternal: string,
  q: IssueNoteBody,
  now = new Date(),
): Promise<{
  document: NoteDocument;
  issuable: boolean;
  refusal: { code: string; message: string; params?: unknown } | null;
}> {
  const today = todayIn(deps.timeZone, now);
  const asOf = checkAsOf(q.asOf, today);
  const c = await findCustomer(deps.db, idOrExternal);
  assertCustomerAccess(p, c);
  const note = await computeFor(deps, deps.db, c, asOf, q.currency);
  const r = refusal(note);
  return {
    document: documentOf(deps, c, note, languageOf(c, q.lang), today, null),
    issuable: r === null,
    refusal: r ? { code: r.code, message: r.message, ...(r.reason?.params ? { params: r.reason.params } : {}) } : null,
  };
}

export interface IssuedNote {
  id: string;
  number: string;
  customerId: string;
  currency: string;
  asOf: string;
  issueDate: string;
  language: string;
  interestMinor: number;
  compensationMinor: number;
  compensationEurMinor: number;
  totalMinor: number;
  sha256: string;
  createdBy: string | null;
  createdAt: string;
  pdfUrl: string;
  document: NoteDocument;
}

type NoteRow = NonNullable<Awaited<ReturnType<Db['interestNote']['findUnique']>>>;
function view(r: Omit<NoteRow, 'pdf'>): IssuedNote {
  return {
    id: r.id,
    number: r.number,
    customerId: r.customerId,
    currency: r.currency,
    asOf: iso(r.asOf),
    issueDate: iso(r.issueDate),
    language: r.language,
    interestMinor: toNumber(r.interestMinor),
    compensationMinor: toNumber(r.compensationMinor),
    compensationEurMinor: r.compensationEurMinor,
    totalMinor: toNumber(r.totalMinor),
    sha256: r.sha256,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    pdfUrl: `/v1/interest-notes/${r.id}?format=pdf`,
    document: r.content as unknown as NoteDocument,
  };
}

const noPdf = {
  id: true,
  number: true,
  year: true,
  seq: true,
  customerId: true,
  currency: true,
  asOf: true,
  issueDate: true,
  language: true,
  consumer: true,
  interestMinor: true,
  compensationMinor: true,
  compensationEurMinor: true,
  totalMinor: true,
  content: true,
  sha256: true,
  requestKey: true,
  requestHash: true,
  createdBy: true,
  createdAt: true,
} as const;

/**
 * Issues the note: Idempotency-Key required (the same key and request give the same note back, `duplicate: true`;
 * the same key with another request is refused). The customer row is locked for the transaction, so two notes issued
 * at once cannot claim the same days twice.
 */
export async function issueNote(
  deps: NoteDeps,
  p: Principal,
  actor: Actor,
  idOrExternal: string,
  body: IssueNoteBody,
  key: string | undefined,
  now = new Date(),
): Promise<{ note: IssuedNote; duplicate: boolean }> {
  if (!key) {
    throw badRequest('request is not valid', [
      { path: 'Idempotency-Key', message: 'is required: issuing a note is an effect', code: 'required' },
    ]);
  }
  const today = todayIn(deps.timeZone, now);
  const asOf = checkAsOf(body.asOf, today);
  const c = await findCustomer(deps.db, idOrExternal);
  assertCustomerAccess(p, c);
  const requestKey = `${p.userId ?? p.keyId}:${key}`;
  const requestHash = crypto
    .createHash('sha256')
    .update(JSON.stringify({ customer: c.id, asOf, currency: body.currency ?? null, lang: body.lang ?? null }))
    .digest('hex');
  const replay = async (): Promise<{ note: IssuedNote; duplicate: boolean } | null> => {
    const existing = await deps.db.interestNote.findUnique({ where: { requestKey }, select: noPdf });
    if (!existing) return null;
    if (existing.requestHash !== requestHash) {
      throw new HttpError(409, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another request');
    }
    return { note: view(existing), duplicate: true };
  };
  const before = await replay();
  if (before) return before;
  const lang = languageOf(c, body.lang);
  try {
    const row = await deps.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Customer" WHERE id = ${c.id} FOR UPDATE`;
        const note = await computeFor(deps, tx, c, asOf, body.currency);
        const r = refusal(note);
        if (r) throw r;
        const year = Number(today.slice(0, 4));
        const series = await tx.documentSeries.upsert({
          where: { series_year: { series: NOTE_SERIES, year } },
          create: { series: NOTE_SERIES, year, last: 1 },
          update: { last: { increment: 1 } },
        });
        const number = `${NOTE_SERIES}-${year}-${String(series.last).padStart(6, '0')}`;
        const document = documentOf(deps, c, note, lang, today, number);
        const pdf = await renderNotePdf(document, deps.letterhead);
        const sha256 = crypto.createHash('sha256').update(pdf).digest('hex');
        const created = await tx.interestNote.create({
          data: {
            number,
            year,
            seq: series.last,
            customerId: c.id,
            currency: note.currency,
            asOf: day(asOf),
            issueDate: day(today),
            language: lang,
            consumer: c.consumer,
            interestMinor: BigInt(note.interestMinor ?? 0),
            compensationMinor: BigInt(note.compensationMinor),
            compensationEurMinor: note.compensationEurMinor,
            totalMinor: BigInt(note.totalMinor ?? 0),
            content: JSON.parse(JSON.stringify(document)),
            pdf: new Uint8Array(pdf),
            sha256,
            requestKey,
            requestHash,
            createdBy: actor.actorId,
            lines: {
              create: note.lines.map((l) => ({
                invoiceId: l.invoiceId,
                from: day(l.from),
                to: day(l.to),
                interestMinor: BigInt(l.interestMinor ?? 0),
                compensationMinor: BigInt(l.compensationMinor),
                compensationEurMinor: l.compensationEurMinor,
              })),
            },
          },
          select: noPdf,
        });
        await tx.auditEvent.create({
          data: auditRow(actor, NOTE_ISSUE_ACTION, 'Customer', c.id, {
            noteId: created.id,
            number,
            currency: note.currency,
            asOf,
            interestMinor: note.interestMinor,
            compensationMinor: note.compensationMinor,
            compensationEurMinor: note.compensationEurMinor,
            totalMinor: note.totalMinor,
            invoices: note.lines.map((l) => l.invoiceNumber),
            sha256,
          }),
        });
        return created;
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
    return { note: view(row), duplicate: false };
  } catch (err) {
    // Two requests with the same key at once: the loser of the unique requestKey answers as the replay.
    if ((err as { code?: string }).code === 'P2002') {
      const again = await replay();
      if (again) return again;
    }
    throw err;
  }
}

/** The notes of a customer, newest first (without their PDFs). */
export async function listNotes(db: Db, p: Principal, idOrExternal: string): Promise<IssuedNote[]> {
  const c = await findCustomer(db, idOrExternal);
  assertCustomerAccess(p, c);
  const rows = await db.interestNote.findMany({
    where: { customerId: c.id },
    orderBy: { createdAt: 'desc' },
    select: noPdf,
  });
  return rows.map(view);
}

/** One note (its PDF bytes too); the collector scope of its customer applies. */
export async function getNote(db: Db, p: Principal, id: string): Promise<{ note: IssuedNote; pdf: Buffer }> {
  const row = await db.interestNote.findUnique({ where: { id }, include: { customer: true } });
  if (!row) throw notFound(`interest note ${id}`);
  assertCustomerAccess(p, row.customer);
  return { note: view(row), pdf: Buffer.from(row.pdf) };
}

/** Issued notes of a customer as plain values (for the statement of account). */
export async function notesOfCustomer(
  db: Db,
  customerId: string,
): Promise<Array<{ id: string; number: string; currency: string; issueDate: string; totalMinor: number }>> {
  const rows = await db.interestNote.findMany({
    where: { customerId },
    select: { id: true, number: true, currency: true, issueDate: true, totalMinor: true },
    orderBy: { issueDate: 'asc' },
  });
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    currency: r.currency,
    issueDate: iso(r.issueDate),
    totalMinor: toNumber(r.totalMinor),
  }));
}
