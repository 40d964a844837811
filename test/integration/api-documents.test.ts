/**
 * Downloading a debtor's attachment (GET /v1/documents/:id) against the real app, worker, PostgreSQL and Temporal dev
 * server: a remittance uploaded on the portal shows on the collector's agenda and on the invoice's timeline with its
 * document id, downloads with its own bytes, type and a safe attachment name, and is refused to a collector of other
 * customers (403), as every invoice read is; unknown ids are 404.
 */
import request from 'supertest';
import { linkForMessage } from '../../contexts/portal/links';
import { attachmentDisposition } from '../../contexts/documents/files';
import { as, newInvoice, quietSegment } from './api-helpers';
import { isoDaysFromToday, startHarness, type Harness } from './harness';

jest.setTimeout(120_000);

let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness({ env: { PORTAL_BASE_URL: 'https://pay.segugio.example' } });
  segment = await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

const PDF = Buffer.from('%PDF-1.4\n% contabile del bonifico\n%%EOF\n');

/** The debtor signs in through their link and says they paid, attaching the bank's remittance. */
async function remittance(invoiceId: string, customerId: string, filename: string): Promise<string> {
  const link = await linkForMessage({ db: h.db, config: h.config }, customerId, new Date());
  const agent = request.agent(h.app);
  expect((await agent.get(`/p/${link!.token}`)).status).toBe(303);
  const page = await agent.get('/portal/');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
  const form = /name="_form" value="([^"]+)"/.exec(page.text)![1];
  const res = await agent
    .post('/portal/paid')
    .field('_csrf', csrf)
    .field('_form', form)
    .field('invoiceId', invoiceId)
    .field('paidOn', isoDaysFromToday(-1))
    .attach('file', PDF, { filename, contentType: 'application/pdf' });
  expect(res.status).toBe(303);
  const req = await h.db.portalRequest.findFirstOrThrow({ where: { invoiceId, kind: 'PAYMENT_CLAIM' } });
  return req.documentId!;
}

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('GET /v1/documents/:id', () => {
  it('downloads the remittance from the agenda row and the invoice page, refused to those who may not read it', async () => {
    const inv = await newInvoice(h, segment, { collectorId: 'u-giulia' });
    const name = 'Contabile "bonifico" dicembre è/../x.pdf';
    const documentId = await remittance(inv.invoiceId, inv.customerId, name);

    // The agenda row of the verification task carries the document, with the id the console links to.
    const agenda = await as(h, 'collector').get('/v1/agenda?pageSize=200');
    expect(agenda.status).toBe(200);
    const item = (agenda.body.items as Array<{ request?: { document?: { documentId: string } } }>).find(
      (i) => i.request?.document?.documentId === documentId,
    );
    expect(item).toBeDefined();
    // The invoice's timeline names it as a Document.
    const page = await as(h, 'collector').get(`/v1/invoices/${inv.invoiceId}`);
    expect(page.body.timeline).toEqual(
      expect.arrayContaining([expect.objectContaining({ ref: { type: 'Document', id: documentId } })]),
    );

    const res = await as(h, 'collector').get(`/v1/documents/${documentId}`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(Buffer.compare(res.body as Buffer, PDF)).toBe(0);
    const disposition = String(res.headers['content-disposition']);
    expect(disposition).toBe(attachmentDisposition(name));
    // No quote, slash or path part survives in the plain name; the UTF-8 name is percent-encoded.
    expect(disposition).toMatch(/^attachment; filename="[\w. -]+"; filename\*=UTF-8''[\w.%-]+$/);
    expect(disposition).not.toMatch(/\.\.\//);

    expect((await as(h, 'manager').get(`/v1/documents/${documentId}`)).status).toBe(200);
    // Paolo follows this customer and reads it like its invoice; Marco collects other customers and is refused, as he
    // is the invoice itself.
    expect((await as(h, 'salesperson').get(`/v1/documents/${documentId}`)).status).toBe(200);
    const foreign = await as(h, 'collector2').get(`/v1/documents/${documentId}`);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('FORBIDDEN');
    expect((await as(h, 'collector2').get(`/v1/invoices/${inv.invoiceId}`)).status).toBe(403);
    // ERP keys read invoices, not debtors' files.
    expect((await as(h, 'erp').get(`/v1/documents/${documentId}`)).status).toBe(403);
    expect((await request(h.app).get(`/v1/documents/${documentId}`)).status).toBe(401);

    const unknown = await as(h, 'manager').get('/v1/documents/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    expect((await as(h, 'manager').get('/v1/documents/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
  });

  it('serves a stored type outside the accepted uploads as bytes to save, and 404 when the file is gone', async () => {
    const inv = await newInvoice(h, segment, { collectorId: 'u-giulia' });
    const documentId = await remittance(inv.invoiceId, inv.customerId, 'contabile.pdf');
    await h.db.document.update({ where: { id: documentId }, data: { mimeType: 'text/html' } });
    const res = await as(h, 'collector').get(`/v1/documents/${documentId}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');

    await h.db.document.update({ where: { id: documentId }, data: { path: '/etc/hostname' } });
    expect((await as(h, 'collector').get(`/v1/documents/${documentId}`)).status).toBe(404);
  });
});
