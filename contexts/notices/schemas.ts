/** Request schemas of the notices context: registered mail events, their CSV rows, a customer's verified PEC. */
import { z } from 'zod';
import { LETTER_RECEIPT_KINDS } from '../../domain/notices';
import { idParam, isoDate } from '../schemas';

const registeredNumber = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{5,30}$/, 'must be the registered-mail number (letters, digits, spaces, dashes)');

const reason = z.string().trim().min(1).max(300);

/**
 * One raccomandata event for a letter contact: POSTED with its number (accepted by the post office), DELIVERED on
 * the date of the avviso di ricevimento, RETURNED (undeliverable) with the reason the post gives.
 */
export const registeredMailSchema = z
  .object({
    contactEventId: idParam,
    event: z.enum(LETTER_RECEIPT_KINDS),
    number: registeredNumber.optional(),
    date: isoDate,
    reason: reason.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.event === 'POSTED' && !b.number)
      ctx.addIssue({ code: 'custom', path: ['number'], message: 'is required when the letter is posted' });
    if (b.event === 'RETURNED' && !b.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when the letter came back' });
  });
export type RegisteredMailBody = z.infer<typeof registeredMailSchema>;

/** The mailing provider's words for each event, in Italian or English, as its CSV files write them. */
export const CSV_EVENTS: Record<string, (typeof LETTER_RECEIPT_KINDS)[number]> = {
  posted: 'POSTED',
  accettata: 'POSTED',
  spedita: 'POSTED',
  delivered: 'DELIVERED',
  consegnata: 'DELIVERED',
  returned: 'RETURNED',
  restituita: 'RETURNED',
  'al mittente': 'RETURNED',
  inesitata: 'RETURNED',
  'compiuta giacenza': 'RETURNED',
};

/** Column names accepted in the provider's CSV (first match wins). */
export const CSV_COLUMNS = {
  contactEventId: ['contact_event_id', 'contact_id', 'riferimento', 'reference'],
  number: ['numero', 'number', 'registered_number', 'numero_raccomandata'],
  event: ['esito', 'event', 'status', 'stato'],
  date: ['data', 'date', 'data_esito'],
  reason: ['motivo', 'reason', 'causale'],
} as const;

export const registeredMailImportQuery = z.object({ filename: z.string().trim().min(1).max(200).optional() }).strict();

/** A person records the customer's PEC address, where it was found and when it was verified. */
export const customerPecSchema = z
  .object({
    pec: z.email('must be a PEC e-mail address').max(254),
    source: z.enum(['INIPEC', 'MANUAL']),
    /** When the address was checked (e.g. the INI-PEC look-up); default now. Never in the future. */
    verifiedAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO-8601 instant such as 2026-03-01T09:00:00Z' })
      .optional()
      .refine((s) => s === undefined || Date.parse(s) <= Date.now() + 60_000, 'must not be in the future'),
    note: z.string().trim().min(1).max(500).optional(),
  })
  .strict();
export type CustomerPecBody = z.infer<typeof customerPecSchema>;

export const receiptParams = z.object({ id: idParam, receiptId: idParam }).strict();
