/**
 * Raccomandata A/R: the events of a registered letter — posted with its number, delivered on the date of the avviso
 * di ricevimento, returned undeliverable — recorded by a person (API, console) or read from the mailing provider's
 * CSV. They move the letter's contact exactly like PEC receipts do (ACCEPTED, DELIVERED, FAILED + a task) and reach
 * the invoice workflows through the same receipt signal, so the terms of a formal notice run from the delivery date.
 */
import type { Client } from '@temporalio/client';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Db } from '../../infra/db';
import { todayIn, zonedMidnight } from '../../domain/time';
import { zodFields, type FieldProblem } from '../errors';
import { recordReceipt, signalPendingReceipts, type ReceiptOutcome } from './service';
import { CSV_COLUMNS, CSV_EVENTS, registeredMailSchema, type RegisteredMailBody } from './schemas';

type ContactRow = NonNullable<Awaited<ReturnType<Db['contactEvent']['findUnique']>>>;

export interface RegisteredMailDeps {
  db: Db;
  temporal: Client;
  timeZone: string;
}

/** Why an event cannot be recorded on this contact (the caller answers 400/409), or null when it can. */
export function registeredMailProblem(
  contact: ContactRow,
  body: RegisteredMailBody,
  timeZone: string,
): { status: 400 | 409; field?: string; message: string } | null {
  if (contact.channel !== 'LETTER')
    return { status: 409, message: `contact ${contact.id} is a ${contact.channel} contact, not a letter` };
  if (body.date > todayIn(timeZone)) return { status: 400, field: 'date', message: 'must not be in the future' };
  if (body.event === 'DELIVERED' && contact.sentAt && body.date < todayIn(timeZone, contact.sentAt))
    return { status: 400, field: 'date', message: 'is before the letter was produced' };
  return null;
}

export interface RegisteredMailResult {
  contactEventId: string;
  event: RegisteredMailBody['event'];
  duplicate: boolean;
  status: string;
  receiptId: string;
  taskId: string | null;
}

/**
 * Records one event (idempotent: the same event for the same letter is recorded once; a second, different one is a
 * conflict the caller reports) and signals the invoice workflows.
 */
export async function recordRegisteredMail(
  deps: RegisteredMailDeps,
  contact: ContactRow,
  body: RegisteredMailBody,
  actorId: string | null,
  issuer = 'manual',
): Promise<RegisteredMailResult | { conflict: string }> {
  const dedupeKey = `letter:${contact.id}:${body.event}`;
  const occurredAt = zonedMidnight(body.date, deps.timeZone);
  const known = await deps.db.noticeReceipt.findUnique({ where: { dedupeKey } });
  if (known) {
    const sameDate = known.occurredAt.getTime() === occurredAt.getTime();
    const sameNumber = !body.number || !known.reference || known.reference === body.number;
    if (!sameDate || !sameNumber)
      return {
        conflict: `letter ${contact.id} already has ${body.event} recorded on ${todayIn(deps.timeZone, known.occurredAt)}${known.reference ? ` (${known.reference})` : ''}`,
      };
  }
  const outcome: ReceiptOutcome = await recordReceipt(deps.db, {
    contactEventId: contact.id,
    channel: 'LETTER',
    kind: body.event,
    dedupeKey,
    occurredAt,
    recipient: contact.recipient,
    issuer,
    reference: body.number ?? contact.registeredNumber ?? null,
    detail: body.reason ?? null,
    actorId,
  });
  await signalPendingReceipts(deps.db, deps.temporal);
  return {
    contactEventId: contact.id,
    event: body.event,
    duplicate: outcome.duplicate,
    status: outcome.after,
    receiptId: outcome.receiptId,
    taskId: outcome.taskId,
  };
}

/**
 * Reads the mailing provider's CSV (`;` or `,`, a header row, Italian or English column names, dates ISO or
 * dd/mm/yyyy) into validated events. Every row is checked before anything is recorded: one bad row refuses the file
 * and names the line and the field.
 */
export async function parseRegisteredMailCsv(
  db: Db,
  text: string,
  timeZone: string,
): Promise<{ rows: Array<{ line: number; contact: ContactRow; body: RegisteredMailBody }>; problems: FieldProblem[] }> {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (first.match(/;/g) ?? []).length > (first.match(/,/g) ?? []).length ? ';' : ',';
  const problems: FieldProblem[] = [];
  let records: string[][];
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), {
      delimiter,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    });
  } catch (err) {
    return { rows: [], problems: [{ path: 'file', message: `not a CSV file: ${String((err as Error).message)}` }] };
  }
  const header = (records[0] ?? []).map((h) => h.toLowerCase().replace(/\s+/g, '_'));
  const col = (k: keyof typeof CSV_COLUMNS): number =>
    header.findIndex((h) => (CSV_COLUMNS[k] as readonly string[]).includes(h));
  const at = {
    contactEventId: col('contactEventId'),
    number: col('number'),
    event: col('event'),
    date: col('date'),
    reason: col('reason'),
  };
  if (at.event < 0) problems.push({ path: 'file', message: `no event column (${CSV_COLUMNS.event.join(', ')})` });
  if (at.date < 0) problems.push({ path: 'file', message: `no date column (${CSV_COLUMNS.date.join(', ')})` });
  if (at.contactEventId < 0 && at.number < 0)
    problems.push({ path: 'file', message: 'no column names the letter (contact_event_id or numero)' });
  if (records.length < 2) problems.push({ path: 'file', message: 'the file has no rows' });
  if (problems.length) return { rows: [], problems };

  const rows: Array<{ line: number; contact: ContactRow; body: RegisteredMailBody }> = [];
  for (let i = 1; i < records.length; i++) {
    const r = records[i]!;
    const line = i + 1;
    const cell = (j: number): string | undefined => (j >= 0 && r[j] ? r[j] : undefined);
    const rawEvent = (cell(at.event) ?? '').toLowerCase().replace(/_/g, ' ');
    const dmY = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(cell(at.date) ?? '');
    const number = cell(at.number);
    let contact: ContactRow | null = null;
    const ref = cell(at.contactEventId);
    if (ref && /^[0-9a-f-]{36}$/i.test(ref)) contact = await db.contactEvent.findUnique({ where: { id: ref } });
    else if (ref) contact = await db.contactEvent.findUnique({ where: { idempotencyKey: ref } });
    if (!contact && number)
      contact = await db.contactEvent.findFirst({ where: { channel: 'LETTER', registeredNumber: number } });
    const candidate = {
      contactEventId: contact?.id ?? ref ?? '',
      event: CSV_EVENTS[rawEvent] ?? rawEvent.toUpperCase(),
      ...(number ? { number } : {}),
      date: dmY ? `${dmY[3]}-${dmY[2]}-${dmY[1]}` : (cell(at.date) ?? ''),
      ...(cell(at.reason) ? { reason: cell(at.reason) } : {}),
    };
    const parsed = registeredMailSchema.safeParse(candidate);
    if (!parsed.success) {
      // The same per-field codes as every API refusal (the console renders them in the user's language).
      problems.push(...zodFields(parsed.error, `line ${line}`, candidate));
      continue;
    }
    if (!contact) {
      problems.push({ path: `line ${line}.contactEventId`, message: 'no letter with this reference or number' });
      continue;
    }
    const problem = registeredMailProblem(contact, parsed.data, timeZone);
    if (problem) {
      problems.push({ path: `line ${line}.${problem.field ?? 'contactEventId'}`, message: problem.message });
      continue;
    }
    const known = await db.noticeReceipt.findUnique({
      where: { dedupeKey: `letter:${contact.id}:${parsed.data.event}` },
    });
    if (known && known.occurredAt.getTime() !== zonedMidnight(parsed.data.date, timeZone).getTime()) {
      problems.push({
        path: `line ${line}.date`,
        message: `${parsed.data.event} is already recorded on ${todayIn(timeZone, known.occurredAt)} for this letter`,
      });
      continue;
    }
    rows.push({ line, contact, body: parsed.data });
  }
  return { rows, problems };
}
