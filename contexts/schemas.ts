/** Request schemas (zod). Money is integer minor units; dates are ISO dates. */
import { z } from 'zod';
import {
  CALL_OUTCOMES,
  DISPUTE_REASONS,
  DISPUTE_RESOLUTIONS,
  LANGUAGES,
  LEGAL_STEPS,
  ENTRY_STAGES,
  NON_PAYMENT_REASONS,
  STAGES,
} from '../workflows/contract';

/** ISO-4217 codes accepted (the euro area's neighbours and main trading currencies). */
export const CURRENCIES = [
  'EUR',
  'USD',
  'GBP',
  'CHF',
  'SEK',
  'DKK',
  'NOK',
  'PLN',
  'CZK',
  'HUF',
  'RON',
  'BGN',
  'JPY',
  'CNY',
] as const;

const MAX_MINOR = Number.MAX_SAFE_INTEGER;

/**
 * The one calendar-date type of every schema (API bodies, queries, webhooks, imports): `YYYY-MM-DD` naming a day that
 * exists, so `2026-02-30` is refused instead of rolling over to 2 March.
 */
export const isoDate = z
  .string({ error: 'must be an ISO date (YYYY-MM-DD)' })
  // abort: a string that is not YYYY-MM-DD gets one message, not also "not a real calendar date".
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be an ISO date (YYYY-MM-DD)', abort: true })
  .refine(
    (s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    },
    { message: 'is not a real calendar date', params: { code: 'invalid_date' } },
  );

export const amountMinor = z
  .number({ error: 'must be a number of minor units (cents)' })
  .int('must be an integer number of minor units (cents)')
  .min(0, 'must not be negative')
  .max(MAX_MINOR, 'is too large');

export const positiveAmountMinor = amountMinor.refine((n) => n > 0, 'must be greater than zero');

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * Free-form data an ERP wants kept with the invoice (its own ids, cost centre, …): the one place where any key is
 * accepted, bounded in size; everything else in a body is a known field or a 400.
 */
export const metadataSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(64)
      // Keys that name JavaScript's object machinery are refused, so no reader of the stored object can be tricked.
      .refine((k) => !['__proto__', 'constructor', 'prototype'].includes(k), 'is a reserved key'),
    z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
  )
  .refine((m) => Object.keys(m).length <= 50, 'at most 50 keys')
  .meta({ description: 'Free-form ERP data: up to 50 keys, each a string, number, boolean or null' });

/**
 * An invoice's customer block. On a customer Segugio already knows, an absent field leaves the stored value as it is
 * and only an explicit `null` clears it (`name` cannot be cleared); a new customer gets the defaults noted below.
 */
export const customerSchema = z
  .object({
    externalId: text(64),
    name: text(200),
    vatNumber: text(32).nullable().optional(),
    fiscalCode: text(32).nullable().optional(),
    email: z.email().nullable().optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +390212345678')
      .nullable()
      .optional(),
    pec: z.email().nullable().optional(),
    /** `null` clears the whole address; a given address replaces line, city and postal code (province and country
     * too when given). */
    address: z
      .object({
        line: text(200),
        city: text(100),
        postalCode: text(16),
        province: text(8).nullable().optional(),
        country: z.string().length(2).optional(),
      })
      .strict()
      .nullable()
      .optional(),
    /** New customers: `it`. */
    language: z.enum(LANGUAGES).optional(),
    /** New customers: `standard`. */
    segment: text(64).optional(),
    area: text(64).nullable().optional(),
    /** New customers: false. */
    consumer: z.boolean().optional(),
    creditLimitMinor: amountMinor.nullable().optional(),
    collectorId: text(64).nullable().optional(),
    salespersonId: text(64).nullable().optional(),
  })
  .strict();
export type CustomerBlock = z.infer<typeof customerSchema>;

export const createInvoiceSchema = z
  .object({
    number: text(64),
    customer: customerSchema,
    currency: z.enum(CURRENCIES, { error: `must be one of ${CURRENCIES.join(', ')}` }),
    amountMinor: positiveAmountMinor,
    /** Defaults to the amount: the ERP sends a lower balance when the invoice is already partly paid. */
    balanceMinor: amountMinor.optional(),
    issueDate: isoDate,
    dueDate: isoDate,
    metadata: metadataSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.balanceMinor !== undefined && v.balanceMinor > v.amountMinor) {
      ctx.addIssue({ code: 'custom', path: ['balanceMinor'], message: 'must not exceed amountMinor' });
    }
    if (v.dueDate < v.issueDate) {
      ctx.addIssue({ code: 'custom', path: ['dueDate'], message: 'must not be before issueDate' });
    }
  });
export type CreateInvoice = z.infer<typeof createInvoiceSchema>;

export const paymentSchema = z
  .object({
    reference: text(128),
    amountMinor: positiveAmountMinor,
    paidOn: isoDate,
  })
  .strict();
export type PaymentBody = z.infer<typeof paymentSchema>;

export const idParam = z.string().trim().min(1).max(128);

// ---------------------------------------------------------------------------------------------------------------
// Path and query parameters
// ---------------------------------------------------------------------------------------------------------------

export const idParams = z.object({ id: idParam });
export const letterParams = z.object({ id: idParam, letterId: idParam });
export const contactParams = z.object({ id: idParam, contactId: idParam });
/** Segment names are slugs: they end up inside visibility queries, so nothing else may pass. */
export const segmentName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case slug (letters, digits, - and _; at most 64)');
export const segmentParams = z.object({ segment: segmentName });

const intQuery = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d{1,9}$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const pageQuery = {
  page: intQuery(1, 100_000).optional(),
  pageSize: intQuery(1, 200).optional(),
};

const stageList = z
  .string()
  .max(400)
  .transform((s) => s.split(',').map((x) => x.trim().toUpperCase()))
  .pipe(z.array(z.enum(STAGES, { error: `each stage must be one of ${STAGES.join(', ')}` })).min(1));

const keyword = z.string().trim().min(1).max(128);

/** The invoice list's sortable columns (server-side sort: a whitelist, never a column name from the request). */
export const INVOICE_SORTS = [
  'number',
  'customer',
  'stage',
  'balance',
  'dueDate',
  'daysOverdue',
  'nextAction',
] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];

export const listInvoicesQuery = z
  .object({
    stage: stageList.optional(),
    customer: keyword.optional(),
    segment: keyword.optional(),
    area: keyword.optional(),
    collector: keyword.optional(),
    salesperson: keyword.optional(),
    overdueMin: intQuery(-3650, 36500).optional(),
    overdueMax: intQuery(-3650, 36500).optional(),
    open: z.enum(['true', 'false']).optional(),
    /** Search text: a part of the invoice number or of the customer's name, code, VAT number, e-mail or phone. */
    q: z.string().trim().min(3).max(100).optional(),
    sort: z.enum(INVOICE_SORTS).optional(),
    dir: z.enum(['asc', 'desc']).optional(),
    ...pageQuery,
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.overdueMin !== undefined && q.overdueMax !== undefined && q.overdueMin > q.overdueMax) {
      ctx.addIssue({ code: 'custom', path: ['overdueMax'], message: 'must not be below overdueMin' });
    }
  });
export type ListInvoicesQuery = z.infer<typeof listInvoicesQuery>;

/** `live=true` asks the running workflow instead of the database mirror (see docs/api.md, "Reading"). */
export const invoiceReadQuery = z.object({ live: z.enum(['true', 'false']).optional() }).strict();

export const agendaQuery = z
  .object({
    collector: keyword.optional(),
    area: keyword.optional(),
    salesperson: keyword.optional(),
    ...pageQuery,
    /** Deprecated: the first page of this size (≤ 500); kept for callers written before `page`/`pageSize`. */
    limit: intQuery(1, 500).optional(),
  })
  .strict();
export type AgendaQuery = z.infer<typeof agendaQuery>;

export const pageOnlyQuery = z.object(pageQuery).strict();
export const emptyQuery = z.object({}).strict();
export const importQuery = z
  .object({ rejectionsPage: intQuery(1, 100_000).optional(), filename: z.string().max(200).optional() })
  .strict();

/** `POST /v1/imports/preview`: how many of the first rows to show as they would be stored. */
export const importPreviewQuery = z
  .object({ filename: z.string().max(200).optional(), rows: intQuery(1, 100).optional() })
  .strict();

/** `GET /v1/imports/:id/rejections`: the rejected rows as a file, the problems worded in `lang`. */
export const importRejectionsQuery = z
  .object({
    lang: z.enum(['it', 'en', 'fr']).optional().meta({ description: 'Language of the error column (default: en)' }),
  })
  .strict();

// ---------------------------------------------------------------------------------------------------------------
// ERP facts
// ---------------------------------------------------------------------------------------------------------------

export const adjustmentSchema = z
  .object({
    reference: text(128),
    kind: z.enum(['CREDIT_NOTE', 'AMOUNT_CHANGE', 'CANCEL']),
    amountMinor: positiveAmountMinor.optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind !== 'CANCEL' && v.amountMinor === undefined) {
      ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: `is required for ${v.kind}` });
    }
    if (v.kind === 'CANCEL' && v.amountMinor !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: 'must be absent for CANCEL' });
    }
  });
export type AdjustmentBody = z.infer<typeof adjustmentSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Decisions (each becomes a workflow update; the actor is the caller, never the body)
// ---------------------------------------------------------------------------------------------------------------

const note = z.string().trim().max(2000);
const isoInstant = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant such as 2026-03-01T09:00:00Z' });

export const promiseSchema = z
  .object({ promisedDate: isoDate, amountMinor: positiveAmountMinor.optional(), note: note.optional() })
  .strict();
export const disputeSchema = z
  .object({
    reasonCode: z.enum(DISPUTE_REASONS, { error: `must be one of ${DISPUTE_REASONS.join(', ')}` }),
    note: z.string().trim().min(1).max(2000),
  })
  .strict();
export const resolveDisputeSchema = z
  .object({
    outcome: z.enum(DISPUTE_RESOLUTIONS),
    newBalanceMinor: amountMinor.optional(),
    note: note.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.outcome === 'PARTIAL' && v.newBalanceMinor === undefined) {
      ctx.addIssue({ code: 'custom', path: ['newBalanceMinor'], message: 'is required when outcome is PARTIAL' });
    }
    if (v.outcome !== 'PARTIAL' && v.newBalanceMinor !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['newBalanceMinor'], message: 'is only allowed when outcome is PARTIAL' });
    }
  });
export const planSchema = z
  .object({
    instalments: z
      .array(z.object({ dueDate: isoDate, amountMinor: positiveAmountMinor }).strict())
      .min(1)
      .max(120),
    note: note.optional(),
  })
  .strict();
export const pauseSchema = z
  .object({ until: isoInstant.optional(), reason: z.string().trim().min(1).max(500) })
  .strict();
export const resumeSchema = z.object({ note: note.optional() }).strict();
export const writeOffSchema = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
/** Where an invoice in triage enters the cadence: `START` (its first step) or one of its policy's stages. */
export const chooseEntrySchema = z
  .object({ enterAt: z.enum(['START', ...ENTRY_STAGES]), note: note.optional() })
  .strict();
export const legalDecisionSchema = z.object({ note: note.optional() }).strict();
/** Send the current reminder now (the workflow's `sendReminder`): an optional note for the timeline. */
export const sendReminderSchema = z.object({ note: note.optional() }).strict();
export const declineLegalSchema = z.object({ note: note.optional(), writeOff: z.boolean().optional() }).strict();
export const legalEventSchema = z
  .object({
    step: z.enum(LEGAL_STEPS),
    date: isoDate,
    costMinor: amountMinor,
    recoveredMinor: amountMinor.optional(),
    lawyer: z.string().trim().min(1).max(200).optional(),
    note: note.optional(),
  })
  .strict();

export const completeTaskSchema = z
  .object({
    outcome: z.enum(CALL_OUTCOMES),
    reasonCode: z.enum(NON_PAYMENT_REASONS).optional(),
    note: note.optional(),
    promise: z.object({ promisedDate: isoDate, amountMinor: positiveAmountMinor.optional() }).strict().optional(),
    dispute: disputeSchema.optional(),
    callbackAt: isoInstant.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const need = (cond: boolean, path: string, message: string) => {
      if (cond) ctx.addIssue({ code: 'custom', path: [path], message });
    };
    need(v.outcome === 'PROMISE' && !v.promise, 'promise', 'is required when outcome is PROMISE');
    need(v.outcome !== 'PROMISE' && Boolean(v.promise), 'promise', 'is only allowed when outcome is PROMISE');
    need(v.outcome === 'DISPUTE' && !v.dispute, 'dispute', 'is required when outcome is DISPUTE');
    need(v.outcome !== 'DISPUTE' && Boolean(v.dispute), 'dispute', 'is only allowed when outcome is DISPUTE');
    need(v.outcome === 'CALLBACK' && !v.callbackAt, 'callbackAt', 'is required when outcome is CALLBACK');
  });
export type CompleteTaskBody = z.infer<typeof completeTaskSchema>;

export const reassignSchema = z.object({ assigneeId: text(64), note: note.optional() }).strict();

// ---------------------------------------------------------------------------------------------------------------
// Contacts (JSON notes and call logs; documents arrive as multipart/form-data)
// ---------------------------------------------------------------------------------------------------------------

export const contactSchema = z
  .object({
    kind: z.enum(['NOTE', 'CALL_LOG']),
    invoiceId: idParam.optional(),
    body: z.string().trim().min(1).max(5000),
    outcome: z.enum(CALL_OUTCOMES).optional(),
    reasonCode: z.enum(NON_PAYMENT_REASONS).optional(),
    direction: z.enum(['IN', 'OUT']).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'NOTE' && v.outcome) {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'is only allowed on a CALL_LOG' });
    }
  });
export type ContactBody = z.infer<typeof contactSchema>;

/** Fields that accompany a document upload (multipart form fields). */
export const documentFieldsSchema = z
  .object({ kind: z.literal('DOCUMENT'), invoiceId: idParam.optional(), note: note.optional() })
  .strict();

export const DOCUMENT_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'message/rfc822',
] as const;

/**
 * A saved filter of the invoice list: a name and the list's query (the keys of GET /v1/invoices, page excluded),
 * checked by the list's own schema so a saved filter can always be applied.
 */
export const savedFilterSchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    query: z.record(z.string(), z.string().max(200)).superRefine((q, ctx) => {
      if ('page' in q || 'pageSize' in q) ctx.addIssue({ code: 'custom', message: 'page and pageSize are not saved' });
      const r = listInvoicesQuery.safeParse(q);
      if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue });
    }),
  })
  .strict();
export type SavedFilterBody = z.infer<typeof savedFilterSchema>;
