/** The statement of account (estratto conto) of a customer: JSON, or PDF in it/en/fr. */
import { principalOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import { idempotencyKey } from '../../contexts/collections/customers';
import { idParams } from '../../contexts/schemas';
import { renderStatementPdf, statementFilename } from '../../contexts/statements/pdf';
import { sendStatementBody, statementQuery } from '../../contexts/statements/schemas';
import { requestStatement, STATEMENT_SEND_ACTION, statementOf } from '../../contexts/statements/service';
import type { RouteTable } from '../registry';
import type { RouteDeps } from './deps';

export function statementRoutes(t: RouteTable, deps: RouteDeps): void {
  t.add(
    {
      method: 'get',
      path: '/v1/customers/:id/statement',
      roles: ['collector', 'manager'],
      tag: 'customers',
      summary: 'Statement of account: open items, credit notes, unmatched payments, running balance, B2B interest',
      description:
        'JSON by default; `format=pdf` or `Accept: application/pdf` gives the PDF in `lang` (the customer’s language ' +
        'by default). `asOf` (today or later) is the day interest and days overdue run to. Interest is `null` where a ' +
        "half-year's reference rate is not entered (`missingRates`). Collectors see their own customers only.",
      params: idParams,
      query: statementQuery,
      mutating: false,
      produces: ['application/json', 'application/pdf'],
      responses: { 200: 'The statement (JSON or PDF)' },
    },
    async (req, res, { params, query }) => {
      const statement = await statementOf(
        { db: deps.db, timeZone: deps.timeZone, options: deps.statement },
        principalOf(req),
        params.id,
        query.asOf,
      );
      const pdf =
        query.format === 'pdf' ||
        (query.format === undefined && req.accepts(['application/json', 'application/pdf']) === 'application/pdf');
      if (!pdf) {
        res.json(statement);
        return;
      }
      const lang = query.lang ?? statement.customer.language;
      const body = await renderStatementPdf(statement, lang, deps.statement?.letterhead);
      res
        .type('application/pdf')
        .setHeader('Content-Disposition', `inline; filename="${statementFilename(statement, lang)}"`);
      res.send(body);
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/customers/:id/statement/send',
      roles: ['collector', 'manager'],
      tag: 'customers',
      summary:
        'Send the statement of account now by e-mail or PEC (through the contact budget); Idempotency-Key required',
      description:
        'The customer workflow sends it (the PDF attached, a contact event on the timeline) as soon as the contact ' +
        'budget allows; `channel` defaults to the e-mail, else the PEC address. The same Idempotency-Key twice sends once.',
      params: idParams,
      body: sendStatementBody,
      mutating: true,
      responses: { 202: 'Handed to the customer workflow' },
    },
    async (req, res, { params, body }) => {
      const result = await requestStatement(
        { db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue },
        principalOf(req),
        params.id,
        body,
        idempotencyKey(req),
      );
      if (!result.duplicate) {
        await audit(deps.db, req, STATEMENT_SEND_ACTION, 'Customer', result.customerId, {
          requestKey: result.requestKey,
          channel: result.channel,
          ...(body.lang ? { lang: body.lang } : {}),
        });
      }
      res.status(202).json(result);
    },
  );
}
