/** Actions on a selection of invoices (the invoice list's checkboxes): one request, one outcome per invoice. */
import { idempotencyKey } from '../../contexts/collections/customers';
import { BULK_MAX, bulkSchema, runBulk } from '../../contexts/collections/bulk';
import type { RouteTable } from '../registry';
import type { RouteDeps } from './deps';

export function bulkRoutes(t: RouteTable, deps: RouteDeps): void {
  const bdeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    timeZone: deps.timeZone,
    temporalTimeoutMs: deps.temporalTimeoutMs,
  };

  t.add(
    {
      method: 'post',
      path: '/v1/invoices/bulk',
      roles: ['collector', 'manager'],
      tag: 'decisions',
      summary: `One action on up to ${BULK_MAX} invoices: pause, resume, reassign, remind, statement, promise, export`,
      description:
        'Each action runs the single-invoice one it stands for (the same workflow update, the same statement request, ' +
        'the same task reassignment), with its roles: `reassign` is the credit manager’s. `remind` sends each invoice’s ' +
        'current reminder now (POST /v1/invoices/:id/remind): a refusal (disputed, paused, legal, not overdue, already ' +
        'reminded today) is that invoice’s `error` with its reason code. A collector names only ' +
        'their own customers’ invoices; one other invoice, an unknown one, or a promise over two customers refuses ' +
        'the whole request and nothing is written. Otherwise 200 with one result per invoice (`ok`, or `error` with ' +
        'its status, code and the workflow’s reason). `promise` is one promise for invoices of one customer: ' +
        '`amountMinor` is the total, split oldest due date first (docs/api.md). `export` answers the file (CSV or ' +
        'XLSX; with `lang=it` a `;`-separated CSV with decimal commas). Every action but `export` needs an ' +
        'Idempotency-Key: the same key answers the first results again (`replayed: true`) without redoing them.',
      body: bulkSchema,
      mutating: true,
      produces: ['application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      responses: {
        200: 'One result per invoice (or the exported file)',
        400: 'Bad request, unknown invoices, a promise over several customers (nothing written)',
        403: 'Role or collector scope (nothing written)',
        409: 'The Idempotency-Key was used for another request',
      },
    },
    async (req, res, { body }) => {
      const out = await runBulk(bdeps, req, body, idempotencyKey(req));
      if (out.kind === 'file') {
        res.type(out.contentType).attachment(out.filename).send(out.body);
        return;
      }
      res.json(out.answer);
    },
  );
}
