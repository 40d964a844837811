/**
 * The statement of account as a message: the PDF stored once per idempotency key (a Letter row of template
 * `statement`, with its sha256, so the console and the portal can offer the very file that was sent) and the
 * e-mail / PEC texts in the customer's language. Sending goes through the channels' e-mail and PEC paths (./index.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import { safeName, writeFileAtomic } from '../../infra/files';
import {
  renderStatementPdf,
  statementFilename,
  STATEMENT_TEXTS,
  type Statement,
  type StatementPortalLink,
} from '../../contexts/statements';
import type { Language } from '../../workflows/contract';
import { colon, escapeHtml, longDate, money } from './format';
import type { StoredLetter } from './letters/store';
import { LABELS } from './messages';

export const STATEMENT_TEMPLATE = 'statement';

/**
 * Renders and stores the statement's PDF under the key (a retry finds the row and its intact file, so the link it
 * printed is the one that went out).
 */
export async function produceStatementFile(
  deps: { db: Db; config: Config },
  input: {
    idempotencyKey: string;
    statement: Statement;
    lang: Language;
    invoiceIds: string[];
    /** The debtor's portal link, printed on the PDF as a QR code and a short address (when the portal is on). */
    portal?: StatementPortalLink;
  },
): Promise<StoredLetter> {
  const { db, config } = deps;
  const key = `${input.idempotencyKey}:statement`;
  const filename = statementFilename(input.statement, input.lang);
  const existing = await db.letter.findUnique({ where: { idempotencyKey: key } });
  if (existing) {
    const pdf = await fs.readFile(existing.path).catch(() => null);
    if (pdf && crypto.createHash('sha256').update(pdf).digest('hex') === existing.sha256) {
      return { letterId: existing.id, path: existing.path, sha256: existing.sha256, pdf, filename };
    }
  }
  const pdf = await renderStatementPdf(input.statement, input.lang, undefined, input.portal);
  const sha256 = crypto.createHash('sha256').update(pdf).digest('hex');
  const file = path.join(
    config.SEGUGIO_DATA_DIR,
    'letters',
    safeName(input.statement.customer.id),
    `${safeName(`${crypto.createHash('sha256').update(key).digest('hex').slice(0, 8)}-${filename.replace(/\.pdf$/, '')}`)}.pdf`,
  );
  await writeFileAtomic(file, pdf);
  if (existing) {
    await db.letter.update({ where: { id: existing.id }, data: { path: file, sha256, sizeBytes: pdf.length } });
    return { letterId: existing.id, path: file, sha256, pdf, filename };
  }
  const row = await db.letter
    .create({
      data: {
        idempotencyKey: key,
        customerId: input.statement.customer.id,
        invoiceId: input.invoiceIds[0] ?? null,
        invoiceIds: input.invoiceIds,
        template: STATEMENT_TEMPLATE,
        language: input.lang,
        path: file,
        sha256,
        sizeBytes: pdf.length,
      },
    })
    .catch(async (err: unknown) => {
      // A concurrent attempt created it first: use theirs.
      const again = await db.letter.findUnique({ where: { idempotencyKey: key } });
      if (!again) throw err;
      return again;
    });
  return { letterId: row.id, path: row.path, sha256: row.sha256, pdf: await fs.readFile(row.path), filename };
}

/** Subject, plain text and HTML of the message that carries the statement. */
export function statementMail(
  statement: Statement,
  lang: Language,
  company: string,
  /** The debtor's personal portal link, when the portal is on. */
  portalUrl?: string,
): { subject: string; text: string; html: string } {
  const T = STATEMENT_TEXTS[lang];
  const date = longDate(statement.asOf, lang);
  const balances = statement.sections.map(
    (s) =>
      `${s.totals.balanceMinor >= 0 ? T.closingBalance : T.inYourFavour}${colon(lang)} ${money(Math.abs(s.totals.balanceMinor), s.currency, lang)}`,
  );
  const body = T.emailBody(
    statement.customer.name,
    date,
    company,
    (balances.length ? balances : [T.nothingOpen]).join('\n'),
  );
  const L = LABELS[lang];
  const portal = portalUrl ? `\n\n${L.portalTitle}${colon(lang)}\n${L.portalText}\n${portalUrl}` : '';
  const html = `<!doctype html><html lang="${lang}"><body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222">
${body
  .split('\n\n')
  .map((p) => `<p>${p.split('\n').map(escapeHtml).join('<br>')}</p>`)
  .join('\n')}
${portalUrl ? `<p><strong>${escapeHtml(L.portalTitle)}</strong><br>${escapeHtml(L.portalText)}<br><a href="${escapeHtml(portalUrl)}">${escapeHtml(portalUrl)}</a></p>` : ''}
</body></html>`;
  return { subject: T.emailSubject(company, date), text: body + portal, html };
}
