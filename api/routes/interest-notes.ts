/** Interest debit notes (preview, issue, list, download) and the waivers that forgo the claim. */
import { z } from 'zod';
import { principalOf } from '../../contexts/access/access';
import { actorOfRequest } from '../../contexts/access/audit';
import { idempotencyKey } from '../../contexts/collections/customers';
import { idParam, idParams, emptyQuery } from '../../contexts/schemas';
import { issueNote, getNote, listNotes, previewNote, type NoteDeps } from '../../contexts/interest-claims/service';
import { noteFilename, renderNotePdf } from '../../contexts/interest-claims/pdf';
import {
  issueNoteBody,
  noteParams,
  notePreviewQuery,
  noteQuery,
  waiverBody,
} from '../../contexts/interest-claims/schemas';
import { createWaiver, listWaivers, revokeWaiver } from '../../contexts/interest-claims/waivers';
import { letterheadFromConfig } from '../../infra/pdf';
import { loadConfig } from '../../infra/config';
import type { RouteTable } from '../registry';
import type { RouteDeps } from './deps';

const waiverParams = z.object({ id: idParam, waiverId: z.string().uuid({ error: 'must be a waiver id' }) }).strict();

export function interestNoteRoutes(t: RouteTable, deps: RouteDeps): void {
  let noteDeps: NoteDeps | undefined;
  const nd = (): NoteDeps =>
    (noteDeps ??= {
      db: deps.db,
      timeZone: deps.timeZone,
      extraHolidays: deps.extraHolidays,
      letterhead: deps.statement?.letterhead ?? letterheadFromConfig(loadConfig()),
      consumerFlatRateBp: deps.consumerFlatRateBp,
    });

  t.add(
    {
      method: 'get',
      path: '/v1/customers/:id/interest-notes/preview',
      roles: ['manager'],
      tag: 'interest-notes',
      summary: 'Preview the interest debit note a customer would get now (nothing is written)',
      description:
        'JSON (`document`, `issuable`, `refusal`) or, with `format=pdf`, the PDF without a number. Interest on invoices ' +
        'paid late and on open overdue ones up to `asOf` (today or earlier), less what earlier notes claimed. Where a ' +
        "half-year's rate is not entered the interest is null and `missingRates` names it.",
      params: idParams,
      query: notePreviewQuery,
      mutating: false,
      produces: ['application/json', 'application/pdf'],
      responses: { 200: 'The preview (JSON or PDF)' },
    },
    async (req, res, { params, query }) => {
      const { format, ...q } = query;
      const preview = await previewNote(nd(), principalOf(req), params.id, q);
      if (format !== 'pdf') {
        res.json(preview);
        return;
      }
      const pdf = await renderNotePdf(preview.document, nd().letterhead);
      res
        .type('application/pdf')
        .setHeader('Content-Disposition', `inline; filename="${noteFilename(preview.document)}"`);
      res.send(pdf);
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/customers/:id/interest-notes',
      roles: ['manager'],
      tag: 'interest-notes',
      summary: 'Issue a numbered interest debit note (nota di debito per interessi moratori); Idempotency-Key required',
      description:
        'Numbers ND-<year>-<seq>. Refused (422, nothing written) with REFERENCE_RATE_MISSING, INTEREST_WAIVED or ' +
        'NOTHING_TO_CLAIM; the same Idempotency-Key twice answers the same note (200, `duplicate: true`).',
      params: idParams,
      body: issueNoteBody,
      mutating: true,
      responses: { 200: 'Already issued for this Idempotency-Key', 201: 'Issued' },
    },
    async (req, res, { params, body }) => {
      const result = await issueNote(nd(), principalOf(req), actorOfRequest(req), params.id, body, idempotencyKey(req));
      res.status(result.duplicate ? 200 : 201).json({ ...result.note, duplicate: result.duplicate });
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/customers/:id/interest-notes',
      roles: ['collector', 'manager'],
      tag: 'interest-notes',
      summary: "A customer's interest debit notes, newest first",
      params: idParams,
      query: emptyQuery,
      mutating: false,
      responses: { 200: 'The notes' },
    },
    async (req, res, { params }) => {
      res.json({ notes: await listNotes(deps.db, principalOf(req), params.id) });
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/interest-notes/:id',
      roles: ['collector', 'manager'],
      tag: 'interest-notes',
      summary: 'One interest debit note: JSON, or its PDF as issued (`format=pdf`)',
      params: noteParams,
      query: noteQuery,
      mutating: false,
      produces: ['application/json', 'application/pdf'],
      responses: { 200: 'The note (JSON or PDF)' },
    },
    async (req, res, { params, query }) => {
      const { note, pdf } = await getNote(deps.db, principalOf(req), params.id);
      if (query.format !== 'pdf') {
        res.json(note);
        return;
      }
      res
        .type('application/pdf')
        .setHeader('Content-Disposition', `attachment; filename="${noteFilename(note.document)}"`);
      res.send(pdf);
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/customers/:id/interest-waivers',
      roles: ['collector', 'manager'],
      tag: 'interest-notes',
      summary: "A customer's waivers of late-payment interest and the EUR 40 (revoked ones too)",
      params: idParams,
      query: emptyQuery,
      mutating: false,
      responses: { 200: 'The waivers' },
    },
    async (req, res, { params }) => {
      res.json({ waivers: await listWaivers(deps.db, principalOf(req), params.id) });
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/customers/:id/interest-waivers',
      roles: ['manager'],
      tag: 'interest-notes',
      summary: 'Waive late-payment interest and/or the EUR 40 for a customer from a date, with a reason (audited)',
      params: idParams,
      body: waiverBody,
      mutating: true,
      responses: { 201: 'Recorded' },
    },
    async (req, res, { params, body }) => {
      res.status(201).json(await createWaiver(deps.db, principalOf(req), actorOfRequest(req), params.id, body));
    },
  );

  t.add(
    {
      method: 'delete',
      path: '/v1/customers/:id/interest-waivers/:waiverId',
      roles: ['manager'],
      tag: 'interest-notes',
      summary: 'Revoke a waiver (audited; kept in the history)',
      params: waiverParams,
      mutating: true,
      responses: { 200: 'Revoked' },
    },
    async (req, res, { params }) => {
      res.json(await revokeWaiver(deps.db, principalOf(req), actorOfRequest(req), params.id, params.waiverId));
    },
  );
}
