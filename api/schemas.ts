/** Request schemas (zod). Money is integer minor units; dates are ISO dates. */
import { z } from 'zod';
import { LANGUAGES } from '../workflows/contract';

/** ISO-4217 codes accepted (the euro area's neighbours and main trading currencies). */
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'DKK', 'NOK', 'PLN', 'CZK', 'HUF', 'RON', 'BGN', 'JPY', 'CNY'] as const;

const MAX_MINOR = Number.MAX_SAFE_INTEGER;

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date (YYYY-MM-DD)')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'is not a real calendar date');

export const amountMinor = z
  .number({ error: 'must be a number of minor units (cents)' })
  .int('must be an integer number of minor units (cents)')
  .min(0, 'must not be negative')
  .max(MAX_MINOR, 'is too large');

export const positiveAmountMinor = amountMinor.refine((n) => n > 0, 'must be greater than zero');

const text = (max: number) => z.string().trim().min(1).max(max);

export const customerSchema = z.object({
  externalId: text(64),
  name: text(200),
  vatNumber: text(32).optional(),
  fiscalCode: text(32).optional(),
  email: z.email().optional(),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +390212345678')
    .optional(),
  pec: z.email().optional(),
  address: z
    .object({
      line: text(200),
      city: text(100),
      postalCode: text(16),
      province: text(8).optional(),
      country: z.string().length(2).default('IT'),
    })
    .optional(),
  language: z.enum(LANGUAGES).default('it'),
  segment: text(64).default('standard'),
  area: text(64).optional(),
  consumer: z.boolean().default(false),
  creditLimitMinor: amountMinor.optional(),
  collectorId: text(64).optional(),
  salespersonId: text(64).optional(),
});

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
  })
  .superRefine((v, ctx) => {
    if (v.balanceMinor !== undefined && v.balanceMinor > v.amountMinor) {
      ctx.addIssue({ code: 'custom', path: ['balanceMinor'], message: 'must not exceed amountMinor' });
    }
    if (v.dueDate < v.issueDate) {
      ctx.addIssue({ code: 'custom', path: ['dueDate'], message: 'must not be before issueDate' });
    }
  });
export type CreateInvoice = z.infer<typeof createInvoiceSchema>;

export const paymentSchema = z.object({
  reference: text(128),
  amountMinor: positiveAmountMinor,
  paidOn: isoDate,
});
export type PaymentBody = z.infer<typeof paymentSchema>;

export const idParam = z.string().trim().min(1).max(128);
