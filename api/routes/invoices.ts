/** ERP intake and reading of invoices. */
import { Router } from 'express';
import { audit } from '../audit';
import { requireRole } from '../auth';
import { parse } from '../errors';
import { createInvoiceSchema, idParam, paymentSchema } from '../schemas';
import { createInvoice, getInvoice, recordPayment, type InvoiceDeps } from '../services/invoices';

export function invoiceRouter(deps: InvoiceDeps): Router {
  const r = Router();

  /** Creates or updates an invoice and starts its collection workflow (idempotent on the invoice number). */
  r.post('/v1/invoices', requireRole('erp'), async (req, res) => {
    const body = parse(createInvoiceSchema, req.body);
    const result = await createInvoice(deps, body);
    if (result.created) await audit(deps.db, req, 'invoice.create', 'Invoice', result.invoiceId, body);
    res.status(result.created ? 201 : 200).json(result);
  });

  /** Records a payment received by the ERP; the same reference twice counts once. */
  r.post('/v1/invoices/:id/payments', requireRole('erp'), async (req, res) => {
    const id = parse(idParam, req.params.id, 'id');
    const body = parse(paymentSchema, req.body);
    const result = await recordPayment(deps, id, body);
    if (!result.duplicate) await audit(deps.db, req, 'invoice.payment', 'Invoice', result.invoiceId, body);
    res.status(result.duplicate ? 200 : 201).json(result);
  });

  /** Current state: stage, balance, next action and its time. */
  r.get('/v1/invoices/:id', requireRole('erp', 'collector', 'manager'), async (req, res) => {
    const id = parse(idParam, req.params.id, 'id');
    res.json(await getInvoice(deps, id));
  });

  return r;
}
