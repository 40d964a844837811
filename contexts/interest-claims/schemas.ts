/** Request schemas of the interest debit note and waiver routes (strict: unknown fields are refused). */
import { z } from 'zod';
import { CURRENCIES, isoDate } from '../schemas';
import { LANGUAGES } from '../../workflows/contract';

const noteFields = {
  /** The day interest runs to (inclusive); today when absent; never in the future. */
  asOf: isoDate.optional(),
  /** The note's currency; needed only when the customer has claims in more than one (amounts are never added). */
  currency: z.enum(CURRENCIES, { error: `must be one of ${CURRENCIES.join(', ')}` }).optional(),
  /** Language of the document; the customer's own by default. */
  lang: z.enum(LANGUAGES).optional(),
};

/** GET preview: the same fields as the issue body, plus the PDF format. */
export const notePreviewQuery = z.object({ ...noteFields, format: z.enum(['json', 'pdf']).optional() }).strict();
export type NotePreviewQuery = z.infer<typeof notePreviewQuery>;

export const issueNoteBody = z.object(noteFields).strict();
export type IssueNoteBody = z.infer<typeof issueNoteBody>;

export const noteQuery = z.object({ format: z.enum(['json', 'pdf']).optional() }).strict();

export const noteParams = z.object({ id: z.string().uuid({ error: 'must be an interest note id' }) }).strict();

export const waiverBody = z
  .object({
    /** Waive the late-payment interest (art. 5 D.Lgs. 231/2002 / art. 1284 c.c.). */
    interest: z.boolean(),
    /** Waive the EUR 40 fixed compensation (art. 6 D.Lgs. 231/2002). */
    compensation: z.boolean(),
    /** In force for notes, letters and statements dated from this day on. */
    fromDate: isoDate,
    reason: z.string().trim().min(3, 'say why the claim is waived').max(500),
  })
  .strict()
  .refine((w) => w.interest || w.compensation, {
    path: ['interest'],
    message: 'waive the interest, the compensation or both',
    params: { code: 'invalid_value' },
  });
export type WaiverBody = z.infer<typeof waiverBody>;
