/** The customer 360 view and the contact log (notes, call logs, document uploads). */
import fs from 'node:fs';
import { principalOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import { parse } from '../../contexts/errors';
import type { RouteTable } from '../registry';
import { contactSchema, idParams, pageOnlyQuery } from '../../contexts/schemas';
import { addContact, addDocument, customer360, listContacts } from '../../contexts/collections/customers';
import { attachmentDisposition, findDocumentFile } from '../../contexts/documents/files';
import type { RouteDeps } from './deps';

export function customerRoutes(t: RouteTable, deps: RouteDeps): void {
  const cdeps = {
    db: deps.db,
    timeZone: deps.timeZone,
    dataDir: deps.dataDir,
    creditLimitCurrency: deps.defaultCurrency,
  };

  t.add(
    {
      method: 'get',
      path: '/v1/customers/:id',
      roles: ['collector', 'manager', 'salesperson'],
      tag: 'customers',
      summary: 'Customer 360: invoices and stages, exposure, contacts, promises and how they ended, disputes, rating',
      params: idParams,
      mutating: false,
      responses: { 200: 'The customer' },
    },
    async (req, res, { params }) => {
      res.json(await customer360(cdeps, principalOf(req), params.id));
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/customers/:id/contacts',
      roles: ['collector', 'manager'],
      tag: 'customers',
      summary: 'The contact log: messages, calls, notes (newest first) and documents',
      params: idParams,
      query: pageOnlyQuery,
      mutating: false,
      responses: { 200: 'A page of contacts' },
    },
    async (req, res, { params, query }) => {
      res.json(await listContacts(cdeps, principalOf(req), params.id, query.page ?? 1, query.pageSize ?? 50));
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/customers/:id/contacts',
      roles: ['collector', 'manager'],
      tag: 'customers',
      summary: 'Record a note or a call log (JSON), or upload a document (multipart/form-data, kind=DOCUMENT)',
      description: 'Documents are stored under the data directory by their SHA-256, which the answer returns.',
      params: idParams,
      body: contactSchema,
      bodyKind: 'multipart',
      mutating: true,
      responses: {
        200: 'Already recorded (same Idempotency-Key or same document)',
        201: 'Recorded',
        413: 'File too large',
      },
    },
    async (req, res, { params }) => {
      if ((req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data')) {
        const result = await addDocument(cdeps, req, params.id);
        if (result.created)
          await audit(deps.db, req, 'customer.document', 'Document', result.document.documentId, result.document);
        res.status(result.created ? 201 : 200).json(result);
        return;
      }
      const body = parse(contactSchema, req.body === undefined ? {} : req.body);
      const result = await addContact(cdeps, req, params.id, body);
      if (result.created)
        await audit(
          deps.db,
          req,
          `customer.${body.kind.toLowerCase()}`,
          'ContactEvent',
          result.contact.contactId,
          body,
        );
      res.status(result.created ? 201 : 200).json(result);
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/documents/:id',
      roles: ['collector', 'manager', 'salesperson'],
      tag: 'customers',
      summary: "Download a document: a debtor's attachment from the portal (remittance, dispute) or an uploaded file",
      description:
        'Read like its invoice (its customer when it has none): a collector only for their customers, a salesperson ' +
        'for the customers they follow (403). Always `attachment`, with the stored name made safe in ' +
        '`Content-Disposition`; a type outside the accepted upload types is served as `application/octet-stream`.',
      params: idParams,
      mutating: false,
      produces: 'application/octet-stream',
      responses: { 200: 'The file', 404: 'No such document (or its file is gone)' },
    },
    async (req, res, { params }) => {
      const file = await findDocumentFile(deps.db, deps.dataDir, principalOf(req), params.id);
      res.setHeader('Content-Type', file.contentType);
      res.setHeader('Content-Length', String(file.sizeBytes));
      res.setHeader('Content-Disposition', attachmentDisposition(file.filename));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('ETag', `"${file.sha256}"`);
      // Personal data: the browser keeps no copy beyond this download.
      res.setHeader('Cache-Control', 'private, no-store');
      await new Promise<void>((resolve, reject) => {
        const s = fs.createReadStream(file.path);
        s.on('error', reject);
        res.on('close', () => resolve());
        s.pipe(res);
      });
    },
  );
}
