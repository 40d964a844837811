/** Request schemas of the statement routes (strict: unknown fields are refused). */
import { z } from 'zod';
import { isoDate } from '../schemas';
import { LANGUAGES } from '../../workflows/contract';

export const statementQuery = z
  .object({
    /** The day interest and days overdue run to (inclusive); today when absent. Not before today: balances are today's. */
    asOf: isoDate.optional(),
    /** json (default) or pdf; `Accept: application/pdf` asks for the PDF too. */
    format: z.enum(['json', 'pdf']).optional(),
    /** Language of the PDF; the customer's own by default. */
    lang: z.enum(LANGUAGES).optional(),
  })
  .strict();
export type StatementQuery = z.infer<typeof statementQuery>;

export const sendStatementBody = z
  .object({
    /** EMAIL or PEC; default the customer's e-mail, else their PEC. */
    channel: z.enum(['EMAIL', 'PEC']).optional(),
    lang: z.enum(LANGUAGES).optional(),
  })
  .strict();
export type SendStatementBody = z.infer<typeof sendStatementBody>;
