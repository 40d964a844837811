/**
 * Inbound provider webhooks, mounted by the API under /v1/webhooks:
 *   POST /sendgrid/events  SendGrid event webhook (ECDSA-signed when SENDGRID_WEBHOOK_PUBLIC_KEY is set)
 *   POST /twilio/status    Twilio status callbacks for SMS and calls (X-Twilio-Signature)
 *   POST /erp              ERP payments and credit notes (HMAC-SHA256 with timestamp and replay window)
 *
 * Each route reads the raw body itself (signatures are over the exact bytes), so mount this router before any
 * global body parser, or have that parser keep `req.rawBody`. A bad signature is a 401 JSON error and nothing is
 * recorded; bad content is a 400 naming the field.
 */
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyErpSignature } from '../contexts/erp/signature';
import { zodFields, type FieldProblem } from '../contexts/errors';
import type { Config } from '../infra/config';
import { MAX_JSON_DEPTH, jsonTooDeep } from './body-limits';
import { refuseNul } from './registry';
import { isoDate, positiveAmountMinor } from '../contexts/schemas';
import type { Db } from '../infra/db';
import type { Logger } from '../infra/logger';
import type { InvoiceAdjusted, PaymentReceived } from '../workflows/contract';

export interface CallStatusEvent {
  contactEventId: string;
  customerId: string;
  invoiceId: string | null;
  invoiceIds: string[];
  channel: string;
  /** COMPLETED | NO_ANSWER | BUSY | FAILED (calls); DELIVERED | FAILED (SMS). */
  status: string;
  providerMessageId: string | null;
  durationSeconds?: number;
}

export interface WebhookDeps {
  db: Db;
  config: Config;
  log: Logger;
  /** A call or SMS reached a final status; the API signals the invoice workflow(s). */
  onCallStatus?: (event: CallStatusEvent) => Promise<void>;
  /** A payment from the ERP; the API signals the invoice workflow (paymentSignal). */
  onPayment: (invoiceId: string, payment: PaymentReceived) => Promise<void>;
  /** A credit note / amount change / cancellation from the ERP (invoiceAdjustedSignal). */
  onAdjustment: (invoiceId: string, adjustment: InvoiceAdjusted) => Promise<void>;
  /** The problems that would make an event of the batch refused (paths `events.<n>.<field>`), before any is applied. */
  precheck?: (events: ErpEventInput[], invoiceIds: string[]) => Promise<FieldProblem[]>;
  /** A hard bounce opened a FIX_CONTACT task. */
  onHardBounce?: (event: {
    contactEventId: string;
    customerId: string;
    invoiceId: string | null;
    taskId: string;
  }) => Promise<void>;
  now?: () => Date;
}

/** One validated event of a signed ERP batch. */
export type ErpEventInput =
  | { type: 'payment'; reference: string; amountMinor: number; paidOn: string }
  | { type: 'adjustment'; reference: string; kind: 'CREDIT_NOTE' | 'AMOUNT_CHANGE' | 'CANCEL'; amountMinor?: number };

function sendError(res: Response, status: number, code: string, message: string, fields?: FieldProblem[]): void {
  // The same shape as the error middleware's: every field problem has a stable code.
  const coded = fields?.map((f) => ({ ...f, code: f.code ?? 'invalid' }));
  res.status(status).json({ error: { code, message, ...(coded?.length ? { fields: coded } : {}) } });
}

const rawBody = express.raw({ type: () => true, limit: '2mb' });

/** The exact request bytes: from express.raw here, or from an upstream parser that kept them. */
function bodyBytes(req: Request): Buffer | null {
  const kept = (req as Request & { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(kept)) return kept;
  if (Buffer.isBuffer(req.body)) return req.body;
  return null;
}

const FINAL_CALL: Record<string, string> = {
  completed: 'COMPLETED',
  'no-answer': 'NO_ANSWER',
  busy: 'BUSY',
  failed: 'FAILED',
  canceled: 'FAILED',
};
const FINAL_SMS: Record<string, string> = { delivered: 'DELIVERED', undelivered: 'FAILED', failed: 'FAILED' };

/** Later events must not undo earlier, more informative ones (SendGrid does not guarantee order). */
const EMAIL_RANK: Record<string, number> = {
  PENDING: 0,
  SENT: 1,
  QUEUED: 1,
  DELIVERED: 2,
  OPENED: 3,
  BOUNCED: 4,
  FAILED: 4,
};
/**
 * An event about a notification to one of our own users (docs/notifications.md): its status moves forward on the
 * Notification row, and nothing else happens — a bounce there is not a debtor's address to fix.
 */
async function recordNotificationEvent(
  db: Db,
  raw: Record<string, unknown>,
  status: string,
  key: string | undefined,
): Promise<boolean> {
  const id = typeof raw.notification_id === 'string' ? raw.notification_id : undefined;
  const row =
    (id && (await db.notification.findUnique({ where: { id } }))) ||
    (key?.startsWith('notify:') && (await db.notification.findUnique({ where: { idempotencyKey: key.slice(7) } }))) ||
    null;
  if (!row || (EMAIL_RANK[status] ?? 0) <= (EMAIL_RANK[row.status] ?? 0)) return false;
  const moved = await db.notification.updateMany({
    where: { id: row.id, status: row.status },
    data: {
      status,
      ...(status === 'BOUNCED' || status === 'FAILED' ? { outcome: String(raw.event).toUpperCase() } : {}),
    },
  });
  return moved.count > 0;
}

const EMAIL_EVENTS: Record<string, string> = {
  processed: 'SENT',
  delivered: 'DELIVERED',
  open: 'OPENED',
  click: 'OPENED',
  bounce: 'BOUNCED',
  dropped: 'FAILED',
};

const invoiceRef = {
  invoiceId: z.string().min(1).max(128).optional(),
  invoiceNumber: z.string().min(1).max(64).optional(),
};
/** Same rules as POST /v1/invoices/:id/payments and /adjustments: unknown keys refused, real calendar dates. */
const erpEvent = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('payment'),
      ...invoiceRef,
      reference: z.string().trim().min(1).max(128),
      amountMinor: positiveAmountMinor,
      paidOn: isoDate,
    })
    .strict(),
  z
    .object({
      type: z.literal('adjustment'),
      ...invoiceRef,
      reference: z.string().trim().min(1).max(128),
      kind: z.enum(['CREDIT_NOTE', 'AMOUNT_CHANGE', 'CANCEL']),
      amountMinor: positiveAmountMinor.optional(),
      note: z.string().trim().max(2000).optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (v.kind !== 'CANCEL' && v.amountMinor === undefined)
        ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: `is required for ${v.kind}` });
      if (v.kind === 'CANCEL' && v.amountMinor !== undefined)
        ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: 'must be absent for CANCEL' });
    }),
]);
const erpBody = z.object({ events: z.array(erpEvent).min(1).max(1000) }).strict();

export function createWebhookRouter(deps: WebhookDeps): Router {
  const { db, config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const router = Router();

  // ------------------------------------------------------------------ SendGrid event webhook
  router.post('/sendgrid/events', rawBody, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = bodyBytes(req);
      if (!body) return sendError(res, 500, 'MISCONFIGURED', 'webhook router mounted after a body parser');
      // Unsigned events could be forged by anyone reaching the API (a fake bounce stops reminders): only dev and test
      // take them; production with SendGrid configured refuses to start without the key (infra/config.ts).
      if (!config.SENDGRID_WEBHOOK_PUBLIC_KEY && config.SEGUGIO_MODE === 'production') {
        return sendError(
          res,
          401,
          'BAD_SIGNATURE',
          'unsigned SendGrid events are refused: set SENDGRID_WEBHOOK_PUBLIC_KEY (the Signed Event Webhook key)',
        );
      }
      if (config.SENDGRID_WEBHOOK_PUBLIC_KEY) {
        const sig = req.get('X-Twilio-Email-Event-Webhook-Signature');
        const ts = req.get('X-Twilio-Email-Event-Webhook-Timestamp');
        if (!sig || !ts || !verifySendGridSignature(config.SENDGRID_WEBHOOK_PUBLIC_KEY, ts, body, sig)) {
          return sendError(res, 401, 'BAD_SIGNATURE', 'SendGrid event webhook signature is missing or invalid');
        }
        if (/^\d+$/.test(ts) && Math.abs(now().getTime() / 1000 - Number(ts)) > config.WEBHOOK_TOLERANCE_SECONDS) {
          return sendError(res, 401, 'STALE_SIGNATURE', 'SendGrid event webhook timestamp outside the replay window');
        }
      }
      let events: unknown;
      try {
        events = JSON.parse(body.toString('utf8'));
      } catch {
        return sendError(res, 400, 'VALIDATION_FAILED', 'body is not JSON', [
          { path: '(body)', message: 'invalid JSON' },
        ]);
      }
      if (!Array.isArray(events)) {
        return sendError(res, 400, 'VALIDATION_FAILED', 'expected an array of events', [
          { path: '(body)', message: 'expected an array' },
        ]);
      }
      let recorded = 0;
      for (const raw of events as Array<Record<string, unknown>>) {
        const status = EMAIL_EVENTS[String(raw.event)];
        if (!status) continue;
        const id = typeof raw.contact_event_id === 'string' ? raw.contact_event_id : undefined;
        const key = typeof raw.segugio_key === 'string' ? raw.segugio_key : undefined;
        const sgId = typeof raw.sg_message_id === 'string' ? raw.sg_message_id.split('.')[0] : undefined;
        const row =
          (id && (await db.contactEvent.findUnique({ where: { id } }))) ||
          (key && (await db.contactEvent.findUnique({ where: { idempotencyKey: key } }))) ||
          (sgId && (await db.contactEvent.findFirst({ where: { providerMessageId: sgId } }))) ||
          null;
        if (!row) {
          if (await recordNotificationEvent(db, raw, status, key)) recorded++;
          continue;
        }
        const hard = status === 'BOUNCED' && raw.type !== 'blocked';
        const outcome = status === 'BOUNCED' ? `${hard ? 'HARD' : 'SOFT'}_BOUNCE` : String(raw.event).toUpperCase();
        if ((EMAIL_RANK[status] ?? 0) > (EMAIL_RANK[row.status] ?? 0)) {
          await db.contactEvent.update({
            where: { id: row.id },
            data: {
              status,
              outcome,
              providerMessageId: row.providerMessageId ?? sgId ?? null,
              reasonCode: typeof raw.reason === 'string' ? raw.reason.slice(0, 300) : row.reasonCode,
            },
          });
          recorded++;
        }
        if (hard) {
          const task = await db.task.upsert({
            where: { idempotencyKey: `fix-contact:${row.id}` },
            update: {},
            create: {
              idempotencyKey: `fix-contact:${row.id}`,
              kind: 'FIX_CONTACT',
              customerId: row.customerId,
              invoiceId: row.invoiceId,
              assigneeId: (
                await db.customer.findUnique({ where: { id: row.customerId }, select: { collectorId: true } })
              )?.collectorId,
              dueAt: new Date(now().getTime() + 86_400_000),
              note: `${row.channel} address bounced (${typeof raw.reason === 'string' ? raw.reason.slice(0, 200) : 'hard bounce'}): please correct the customer's contact data.`,
            },
          });
          await deps.onHardBounce?.({
            contactEventId: row.id,
            customerId: row.customerId,
            invoiceId: row.invoiceId,
            taskId: task.id,
          });
        }
      }
      log.info({ events: events.length, recorded }, 'SendGrid events processed');
      res.status(200).json({ received: events.length, recorded });
    } catch (err) {
      next(err);
    }
  });

  // ------------------------------------------------------------------ Twilio status callbacks
  router.post('/twilio/status', rawBody, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = bodyBytes(req);
      if (!body) return sendError(res, 500, 'MISCONFIGURED', 'webhook router mounted after a body parser');
      const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      const signature = req.get('X-Twilio-Signature');
      const token = config.TWILIO_AUTH_TOKEN;
      // Twilio signs the public URL it called, which a proxy may rewrite: rebuild it from PUBLIC_BASE_URL.
      const base = config.PUBLIC_BASE_URL?.replace(/\/$/, '') ?? `${req.protocol}://${req.get('host')}`;
      const url = `${base}${req.originalUrl}`;
      if (!token || !signature || !twilio.validateRequest(token, signature, url, params)) {
        return sendError(res, 401, 'BAD_SIGNATURE', 'X-Twilio-Signature is missing or invalid');
      }
      const isCall = typeof params.CallSid === 'string' && params.CallSid !== '';
      const sid = isCall ? params.CallSid : params.MessageSid;
      const raw = (isCall ? params.CallStatus : params.MessageStatus) ?? '';
      if (!sid || !raw) {
        return sendError(res, 400, 'VALIDATION_FAILED', 'missing CallSid/MessageSid or status', [
          { path: isCall ? 'CallStatus' : 'MessageStatus', message: 'required' },
        ]);
      }
      const status = (isCall ? FINAL_CALL : FINAL_SMS)[raw];
      const idFromUrl = typeof req.query.contactEventId === 'string' ? req.query.contactEventId : undefined;
      const row =
        (idFromUrl && (await db.contactEvent.findUnique({ where: { id: idFromUrl } }))) ||
        (await db.contactEvent.findFirst({ where: { providerMessageId: sid } }));
      if (!row) {
        log.warn({ sid }, 'Twilio status for an unknown contact');
        return res.status(204).end();
      }
      if (!status) return res.status(204).end(); // intermediate status (queued, ringing, sent…)
      const duration = params.CallDuration ? Number(params.CallDuration) : undefined;
      // Twilio replays a callback it thinks was lost: only the request that moves the status passes it on, so the
      // workflow hears each final status once (a conditional update: two concurrent replays move it once).
      const moved = await db.contactEvent.updateMany({
        where: { id: row.id, NOT: { status } },
        data: { status, outcome: raw.toUpperCase(), providerMessageId: row.providerMessageId ?? sid },
      });
      if (moved.count === 0) {
        log.info({ contactEventId: row.id, status }, 'Twilio status replayed: already recorded');
        return res.status(204).end();
      }
      await deps.onCallStatus?.({
        contactEventId: row.id,
        customerId: row.customerId,
        invoiceId: row.invoiceId,
        invoiceIds: row.invoiceIds,
        channel: row.channel,
        status,
        providerMessageId: sid,
        ...(duration !== undefined && Number.isFinite(duration) ? { durationSeconds: duration } : {}),
      });
      log.info({ contactEventId: row.id, status }, 'Twilio status recorded');
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  // ------------------------------------------------------------------ ERP payments and credit notes
  router.post('/erp', rawBody, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const body = bodyBytes(req);
      if (!body) return sendError(res, 500, 'MISCONFIGURED', 'webhook router mounted after a body parser');
      const secret = config.ERP_INBOUND_SECRET;
      if (!secret) return sendError(res, 503, 'NOT_CONFIGURED', 'ERP_INBOUND_SECRET is not set');
      const check = verifyErpSignature({
        secret,
        timestamp: req.get(TIMESTAMP_HEADER),
        signature: req.get(SIGNATURE_HEADER),
        body,
        nowSeconds: Math.floor(now().getTime() / 1000),
        toleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS,
      });
      if (!check.ok) return sendError(res, 401, 'BAD_SIGNATURE', `ERP webhook rejected: ${check.reason}`);
      if (!req.is('application/json'))
        return sendError(
          res,
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          `the ERP webhook takes a JSON body: send it with Content-Type: application/json (got ${req.get('content-type') ?? 'no Content-Type'})`,
        );

      let json: unknown;
      try {
        if (jsonTooDeep(body)) {
          return sendError(res, 400, 'VALIDATION_FAILED', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, [
            { path: '(body)', message: `must not nest deeper than ${MAX_JSON_DEPTH} levels` },
          ]);
        }
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return sendError(res, 400, 'VALIDATION_FAILED', 'body is not JSON', [
          { path: '(body)', message: 'invalid JSON' },
        ]);
      }
      refuseNul(json, ['body']);
      const parsed = erpBody.safeParse(json);
      if (!parsed.success) {
        return sendError(res, 400, 'VALIDATION_FAILED', 'invalid ERP event batch', zodFields(parsed.error, '', json));
      }
      // Resolve every invoice first: a batch is accepted whole or not at all.
      const fields: FieldProblem[] = [];
      const targets: string[] = [];
      for (const [n, ev] of parsed.data.events.entries()) {
        if (!ev.invoiceId && !ev.invoiceNumber) {
          fields.push({ path: `events.${n}.invoiceNumber`, message: 'invoiceId or invoiceNumber is required' });
          targets.push('');
          continue;
        }
        const inv = await db.invoice.findFirst({
          where: ev.invoiceId ? { id: ev.invoiceId } : { externalNumber: ev.invoiceNumber },
          select: { id: true },
        });
        if (!inv)
          fields.push({
            path: `events.${n}.${ev.invoiceId ? 'invoiceId' : 'invoiceNumber'}`,
            message: 'unknown invoice',
            code: 'unknown_invoice',
          });
        targets.push(inv?.id ?? '');
      }
      if (fields.length) return sendError(res, 422, 'UNKNOWN_INVOICE', 'some events name unknown invoices', fields);
      // Then every event that would be refused (a reference reused with other content, an adjustment on a closed
      // invoice, a credit note above the invoice): one refusal and nothing of the batch is applied.
      const conflicts = (await deps.precheck?.(parsed.data.events, targets)) ?? [];
      if (conflicts.length)
        return sendError(
          res,
          409,
          'CONFLICT',
          'some events conflict with what is recorded; nothing was applied',
          conflicts,
        );

      for (const [n, ev] of parsed.data.events.entries()) {
        if (ev.type === 'payment') {
          await deps.onPayment(targets[n], { reference: ev.reference, amountMinor: ev.amountMinor, paidOn: ev.paidOn });
        } else {
          await deps.onAdjustment(targets[n], {
            reference: ev.reference,
            kind: ev.kind,
            ...(ev.amountMinor !== undefined ? { amountMinor: ev.amountMinor } : {}),
            ...(ev.note ? { note: ev.note } : {}),
          });
        }
      }
      log.info({ events: parsed.data.events.length }, 'ERP webhook accepted');
      res.status(202).json({ accepted: parsed.data.events.length });
    } catch (err) {
      next(err);
    }
  });

  return router;
}

/**
 * SendGrid's Signed Event Webhook: ECDSA (P-256, SHA-256) over timestamp + raw body; the signature header is
 * base64 DER, the verification key is the base64 DER (SPKI) public key shown in SendGrid's settings, or a PEM.
 */
export function verifySendGridSignature(
  publicKey: string,
  timestamp: string,
  body: Buffer,
  signatureB64: string,
): boolean {
  try {
    const key = publicKey.includes('BEGIN PUBLIC KEY')
      ? crypto.createPublicKey(publicKey)
      : crypto.createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    return crypto.verify(
      'sha256',
      Buffer.concat([Buffer.from(timestamp, 'utf8'), body]),
      key,
      Buffer.from(signatureB64, 'base64'),
    );
  } catch {
    return false;
  }
}
