/** The customer 360 view and the contact log (notes, call logs, document uploads). */
import { principalOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import { parse } from '../../contexts/errors';
import type { RouteTable } from '../registry';
import { contactSchema, idParams, pageOnlyQuery } from '../../contexts/schemas';
import { addContact, addDocument, customer360, listContacts } from '../../contexts/collections/customers';
import type { RouteDeps } from './deps';

export function customerRoutes(t: RouteTable, deps: RouteDeps): void {
  const cdeps = { db: deps.db, timeZone: deps.timeZone, dataDir: deps.dataDir };

  t.add(
    {
      method: 'get',
      path: '/v1/customers/:id',
      roles: ['collector', 'manager'],
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
}
