/**
 * Proof of notices: PEC receipts as evidence (.eml with daticert.xml), raccomandata events (one by one or from the
 * mailing provider's CSV), and a customer's PEC address with where it came from and when it was verified.
 */
import fs from 'node:fs';
import path from 'node:path';
import { findInvoice } from '../../contexts/intake/invoices';
import { actorOf, assertCustomerAccess, principalOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import { badRequest, conflict, notFound } from '../../contexts/errors';
import type { RouteTable } from '../registry';
import { idParams } from '../../contexts/schemas';
import { receiveFile } from '../../contexts/documents/uploads';
import {
  parseRegisteredMailCsv,
  recordRegisteredMail,
  registeredMailProblem,
  type RegisteredMailResult,
} from '../../contexts/notices/registered-mail';
import {
  customerPecSchema,
  receiptParams,
  registeredMailImportQuery,
  registeredMailSchema,
} from '../../contexts/notices/schemas';
import type { RouteDeps } from './deps';

/** Provider CSVs are small (one row per letter); anything larger is not one. */
const MAX_CSV_BYTES = 5 * 1024 * 1024;

const covers = (c: { invoiceId: string | null; invoiceIds: string[] }, invoiceId: string): boolean =>
  c.invoiceId === invoiceId || c.invoiceIds.includes(invoiceId);

export function noticeRoutes(t: RouteTable, deps: RouteDeps): void {
  const mail = { db: deps.db, temporal: deps.temporal, timeZone: deps.timeZone };

  t.add(
    {
      method: 'get',
      path: '/v1/invoices/:id/receipts/:receiptId',
      roles: ['collector', 'manager'],
      tag: 'notices',
      summary: 'A PEC receipt of this invoice as the provider wrote it (.eml, with its daticert.xml)',
      description: 'The ETag is the SHA-256 recorded when the receipt was read from the PEC mailbox.',
      params: receiptParams,
      mutating: false,
      produces: 'message/rfc822',
      responses: { 200: 'The receipt (.eml)' },
    },
    async (req, res, { params }) => {
      const invoice = await findInvoice(deps.db, params.id);
      const customer = await deps.db.customer.findUniqueOrThrow({ where: { id: invoice.customerId } });
      assertCustomerAccess(principalOf(req), customer);
      const receipt = /^[0-9a-f-]{36}$/i.test(params.receiptId)
        ? await deps.db.noticeReceipt.findUnique({
            where: { id: params.receiptId },
            include: { contactEvent: true },
          })
        : null;
      if (!receipt || !covers(receipt.contactEvent, invoice.id) || !receipt.path)
        throw notFound(`receipt ${params.receiptId}`);
      const root = path.resolve(deps.dataDir);
      const file = path.resolve(root, receipt.path);
      if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) throw notFound(`receipt ${params.receiptId} file`);
      const name = `${invoice.externalNumber}-${receipt.channel}-${receipt.kind}-${receipt.occurredAt.toISOString().slice(0, 10)}.eml`;
      res.setHeader('Content-Type', 'message/rfc822');
      res.setHeader('Content-Length', String(fs.statSync(file).size));
      res.setHeader('Content-Disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`);
      res.setHeader('ETag', `"${receipt.sha256}"`);
      await new Promise<void>((resolve, reject) => {
        const s = fs.createReadStream(file);
        s.on('error', reject);
        res.on('close', () => resolve());
        s.pipe(res);
      });
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/invoices/:id/registered-mail',
      roles: ['collector', 'manager'],
      tag: 'notices',
      summary: 'Record a raccomandata A/R event of a letter: posted (with its number), delivered, returned',
      description:
        'DELIVERED starts the terms of a formal notice (from the date of the avviso di ricevimento); RETURNED marks ' +
        'the letter FAILED and opens a task for the collector. The same event twice is recorded once (200).',
      params: idParams,
      body: registeredMailSchema,
      mutating: true,
      responses: {
        200: 'Already recorded',
        201: 'Recorded',
        409: 'Not a letter, or a different event of this kind is already recorded',
      },
    },
    async (req, res, { params, body }) => {
      const invoice = await findInvoice(deps.db, params.id);
      const customer = await deps.db.customer.findUniqueOrThrow({ where: { id: invoice.customerId } });
      assertCustomerAccess(principalOf(req), customer);
      const contact = /^[0-9a-f-]{36}$/i.test(body.contactEventId)
        ? await deps.db.contactEvent.findUnique({ where: { id: body.contactEventId } })
        : null;
      if (!contact || !covers(contact, invoice.id)) throw notFound(`letter ${body.contactEventId} of this invoice`);
      const problem = registeredMailProblem(contact, body, deps.timeZone);
      if (problem?.status === 409) throw conflict(problem.message);
      if (problem)
        throw badRequest('request is not valid', [{ path: problem.field ?? '(body)', message: problem.message }]);
      const result = await recordRegisteredMail(mail, contact, body, actorOf(req).actorId);
      if ('conflict' in result) throw conflict(result.conflict);
      if (!result.duplicate)
        await audit(deps.db, req, 'notice.registered-mail', 'ContactEvent', contact.id, body, {
          status: contact.status,
          registeredNumber: contact.registeredNumber,
        });
      res.status(result.duplicate ? 200 : 201).json(result);
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/registered-mail/imports',
      roles: ['erp', 'manager'],
      tag: 'notices',
      summary: "Upload the mailing provider's CSV of raccomandata events (posted, delivered, returned)",
      description:
        'Columns (Italian or English): contact_event_id or riferimento (the letter contact), numero, esito ' +
        '(accettata/consegnata/restituita or posted/delivered/returned), data (ISO or dd/mm/yyyy), motivo. Every row ' +
        'is checked first: one bad row refuses the whole file (400 naming line and field) and nothing is recorded.',
      query: registeredMailImportQuery,
      bodyKind: 'upload',
      mutating: true,
      responses: { 200: 'The rows recorded (repeated rows count as duplicates)', 413: 'File too large' },
    },
    async (req, res) => {
      const file = await receiveFile(req, path.join(deps.dataDir, 'registered-mail'), {
        limitBytes: MAX_CSV_BYTES,
        defaultName: 'raccomandate.csv',
      });
      const text = await fs.promises.readFile(file.path, 'utf8');
      const { rows, problems } = await parseRegisteredMailCsv(deps.db, text, deps.timeZone);
      if (problems.length > 0) {
        // A refused file leaves nothing behind, not even itself.
        await fs.promises.rm(file.path, { force: true });
        throw badRequest('the file is not valid; nothing was recorded', problems.slice(0, 100));
      }
      const actorId = actorOf(req).actorId;
      const results: Array<RegisteredMailResult & { line: number }> = [];
      for (const r of rows) {
        const result = await recordRegisteredMail(mail, r.contact, r.body, actorId, 'provider-csv');
        // Checked while parsing; a concurrent change in between is reported on its line.
        if ('conflict' in result) throw conflict(`line ${r.line}: ${result.conflict}`);
        results.push({ line: r.line, ...result });
      }
      const summary = {
        sha256: file.sha256,
        rows: results.length,
        recorded: results.filter((r) => !r.duplicate).length,
        duplicates: results.filter((r) => r.duplicate).length,
      };
      await audit(deps.db, req, 'notice.registered-mail.import', 'File', file.sha256, summary);
      res.json({ ...summary, results });
    },
  );

  t.add(
    {
      method: 'put',
      path: '/v1/customers/:id/pec',
      roles: ['collector', 'manager'],
      tag: 'customers',
      summary:
        "Record the customer's PEC address, where it was found (INI-PEC, another source) and when it was verified",
      description:
        'A later ERP import that sends the same address keeps this verification; a different address from the ERP ' +
        'replaces it and is marked as the ERP\u2019s, unverified.',
      params: idParams,
      body: customerPecSchema,
      mutating: true,
      responses: { 200: 'The PEC address and its provenance' },
    },
    async (req, res, { params, body }) => {
      const before =
        (/^[0-9a-f-]{36}$/i.test(params.id) ? await deps.db.customer.findUnique({ where: { id: params.id } }) : null) ??
        (await deps.db.customer.findUnique({ where: { externalId: params.id } }));
      if (!before) throw notFound(`customer ${params.id}`);
      assertCustomerAccess(principalOf(req), before);
      const actorId = actorOf(req).actorId;
      const after = await deps.db.customer.update({
        where: { id: before.id },
        data: {
          pec: body.pec,
          pecSource: body.source,
          pecVerifiedAt: body.verifiedAt ? new Date(body.verifiedAt) : new Date(),
          pecVerifiedBy: actorId,
        },
      });
      const view = {
        customerId: after.id,
        pec: after.pec,
        pecSource: after.pecSource,
        pecVerifiedAt: after.pecVerifiedAt?.toISOString() ?? null,
        pecVerifiedBy: after.pecVerifiedBy,
      };
      await audit(
        deps.db,
        req,
        'customer.pec',
        'Customer',
        after.id,
        { ...view, note: body.note ?? null },
        {
          pec: before.pec,
          pecSource: before.pecSource,
          pecVerifiedAt: before.pecVerifiedAt?.toISOString() ?? null,
        },
      );
      res.json(view);
    },
  );
}
