/**
 * sendContact: one outbound contact through its channel — e-mail (SendGrid or the local outbox), SMS and calls
 * (Twilio or the outbox plus a collector task), letters and PEC (PDF; the PEC copy by e-mail).
 *
 * Idempotency (docs/channels.md): the ContactEvent with the request's unique key is inserted as PENDING before any
 * provider is called and updated to SENT/QUEUED afterwards. A retry that finds SENT/QUEUED/SKIPPED returns the
 * recorded result. A retry that finds PENDING (the previous attempt died between the insert and the update) first
 * asks the provider whether it already has the message (Twilio: list by recipient, sender, time and body; SendGrid:
 * the Email Activity API by the idempotency key in custom args, or a `processed`/`delivered` event already recorded
 * by the webhook) and only sends when the provider has nothing.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ContactRequest, ContactResult, SegugioActivities } from '../types';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import type { Logger } from '../../infra/logger';
import {
  DEFAULT_CONTACT_WINDOW,
  nextContactSlot,
  parseHoursRange,
  type ContactWindowRules,
} from '../../domain/calendar';
import { loadContactData, type ContactData } from './context';
import { emailBodies } from './email';
import { produceLetter, type StoredLetter } from './letters/store';
import { resolveTemplate } from './messages';
import { buildEml, writeOutboxFile } from './outbox';
import { createSendGridGateway, sendGridStatus, type SendGridGateway } from './providers/sendgrid';
import { createTwilioGateway, type TwilioGateway } from './providers/twilio';

/** ContactResult.detail starts with this when a human must do what the machine could not (no Twilio). */
export const COLLECTOR_TASK_NEEDED = 'COLLECTOR_TASK_NEEDED';

export interface ContactDeps {
  db: Db;
  config: Config;
  log: Logger;
  /** Defaults to the real clock; tests pass a fixed instant to exercise quiet hours. */
  now?: () => Date;
  /** Test-only fault injection: runs after the provider accepted a request and before the database records it. */
  faults?: { afterProviderAccepted?: (info: { idempotencyKey: string; channel: string }) => void };
  /** Override the gateways (e.g. built once by the worker); by default built from config when credentials exist. */
  sendgrid?: SendGridGateway | null;
  twilio?: TwilioGateway | null;
}

type ContactRow = NonNullable<Awaited<ReturnType<Db['contactEvent']['findUnique']>>>;

/** How old a PENDING row must be before we trust "the provider has nothing" (clock skew between us and them). */
const RECONCILE_SKEW_MS = 5 * 60_000;

export function contactWindowFromConfig(config: Config): ContactWindowRules {
  const week = parseHoursRange(config.SEGUGIO_CONTACT_HOURS);
  const sat = config.SEGUGIO_CONTACT_SATURDAY_HOURS.trim().toLowerCase();
  return {
    ...DEFAULT_CONTACT_WINDOW,
    timeZone: config.SEGUGIO_TZ,
    ...week,
    // Saturday shares the weekday start; only its end differs.
    saturdayEndMinute: sat === 'none' || sat === '' ? null : parseHoursRange(sat).endMinute,
    extraHolidays: config.SEGUGIO_EXTRA_HOLIDAYS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

function recorded(row: ContactRow): ContactResult | null {
  const base = { contactEventId: row.id, ...(row.letterId ? { letterId: row.letterId } : {}) };
  switch (row.status) {
    case 'PENDING':
    case 'DEFERRED':
      return null;
    case 'QUEUED':
      return { ...base, status: 'QUEUED', detail: row.outcome ?? undefined };
    case 'SKIPPED':
    case 'FAILED':
      return { ...base, status: 'SKIPPED', detail: row.outcome ?? row.status };
    default:
      // SENT and everything webhooks move it to afterwards (DELIVERED, BOUNCED, COMPLETED, NO_ANSWER…).
      return { ...base, status: 'SENT', detail: row.status === 'SENT' ? undefined : row.status };
  }
}

export function createContactActivities(deps: ContactDeps): Pick<SegugioActivities, 'sendContact'> {
  const { db, config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const window = contactWindowFromConfig(config);
  const sendgrid =
    deps.sendgrid !== undefined
      ? deps.sendgrid
      : config.SENDGRID_API_KEY
        ? createSendGridGateway({
            apiKey: config.SENDGRID_API_KEY,
            from: config.SENDGRID_FROM,
            fromName: config.SENDGRID_FROM_NAME,
            baseUrl: config.SENDGRID_BASE_URL,
          })
        : null;
  const twilio =
    deps.twilio !== undefined
      ? deps.twilio
      : config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM
        ? createTwilioGateway({
            accountSid: config.TWILIO_ACCOUNT_SID,
            authToken: config.TWILIO_AUTH_TOKEN,
            from: config.TWILIO_FROM,
            baseUrl: config.TWILIO_BASE_URL,
          })
        : null;

  const statusCallback = (contactEventId: string): string | undefined =>
    config.PUBLIC_BASE_URL
      ? `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/v1/webhooks/twilio/status?contactEventId=${encodeURIComponent(contactEventId)}`
      : undefined;

  async function finish(
    row: ContactRow,
    data: {
      status: 'SENT' | 'QUEUED' | 'SKIPPED' | 'FAILED' | 'DEFERRED';
      provider?: string;
      providerMessageId?: string | null;
      outcome?: string;
      filePath?: string;
      letterId?: string;
    },
  ): Promise<ContactResult> {
    const updated = await db.contactEvent.update({
      where: { id: row.id },
      data: {
        status: data.status,
        provider: data.provider ?? row.provider,
        providerMessageId: data.providerMessageId ?? row.providerMessageId,
        outcome: data.outcome ?? null,
        filePath: data.filePath ?? row.filePath,
        letterId: data.letterId ?? row.letterId,
        sentAt: data.status === 'SENT' || data.status === 'QUEUED' ? now() : row.sentAt,
      },
    });
    return recorded(updated)!;
  }

  /** Insert-or-get the contact row; the unique key makes concurrent or repeated attempts converge on one row. */
  async function claim(req: ContactRequest, fields: Record<string, unknown>): Promise<ContactRow> {
    const existing = await db.contactEvent.findUnique({ where: { idempotencyKey: req.idempotencyKey } });
    if (existing) {
      // A PENDING row keeps what it recorded: reconciliation compares the provider's copy with that exact body.
      if (existing.status !== 'DEFERRED') return existing;
      return db.contactEvent.update({ where: { id: existing.id }, data: { ...fields, status: 'PENDING' } });
    }
    try {
      return await db.contactEvent.create({
        data: {
          idempotencyKey: req.idempotencyKey,
          customerId: req.customerId,
          invoiceId: req.invoiceIds[0] ?? null,
          invoiceIds: req.invoiceIds,
          channel: req.channel,
          direction: 'OUT',
          stage: req.stage,
          template: req.template,
          status: 'PENDING',
          ...fields,
        },
      });
    } catch (err) {
      const again = await db.contactEvent.findUnique({ where: { idempotencyKey: req.idempotencyKey } });
      if (again) return again;
      throw err;
    }
  }

  const accepted = (req: ContactRequest): void =>
    deps.faults?.afterProviderAccepted?.({ idempotencyKey: req.idempotencyKey, channel: req.channel });

  async function sendEmail(
    req: ContactRequest,
    d: ContactData,
    to: string,
    row: ContactRow,
    wasPending: boolean,
    letter: StoredLetter | null,
  ): Promise<ContactResult> {
    const { text, html } = emailBodies(d.message, d.ctx);
    const attachment = letter ? { filename: letter.filename, content: letter.pdf, type: 'application/pdf' } : undefined;
    if (!sendgrid) {
      const eml = buildEml({
        from: config.SENDGRID_FROM,
        to,
        subject: d.message.subject,
        text,
        html,
        language: d.lang,
        idempotencyKey: req.idempotencyKey,
        date: now(),
        attachment,
      });
      const file = await writeOutboxFile(config.SEGUGIO_DATA_DIR, req.idempotencyKey, 'eml', eml);
      return finish(row, {
        status: 'QUEUED',
        provider: 'outbox',
        filePath: file,
        letterId: letter?.letterId,
        outcome: 'OUTBOX',
      });
    }
    if (wasPending) {
      const found = await sendgrid.findByKey(req.idempotencyKey);
      if (found && found !== 'unavailable') {
        log.info({ contactEventId: row.id }, 'reconciled a PENDING e-mail with SendGrid: not sending again');
        return finish(row, {
          status: 'SENT',
          provider: 'sendgrid',
          providerMessageId: found,
          letterId: letter?.letterId,
        });
      }
      if (found === 'unavailable') {
        log.warn(
          { contactEventId: row.id },
          'PENDING e-mail and no SendGrid activity lookup: sending again (residual window)',
        );
      }
    }
    try {
      const res = await sendgrid.send({
        to,
        subject: d.message.subject,
        text,
        html,
        language: d.lang,
        customArgs: { segugio_key: req.idempotencyKey, contact_event_id: row.id },
        attachment,
      });
      accepted(req);
      return finish(row, {
        status: 'SENT',
        provider: 'sendgrid',
        providerMessageId: res.messageId,
        letterId: letter?.letterId,
      });
    } catch (err) {
      const status = sendGridStatus(err);
      if (status === 400 || status === 413 || status === 422) {
        // SendGrid refused the message itself (bad address, too large): retrying cannot help.
        return finish(row, { status: 'FAILED', provider: 'sendgrid', outcome: `REJECTED_${status}` });
      }
      throw err;
    }
  }

  async function sendSmsOrVoice(
    req: ContactRequest,
    d: ContactData,
    to: string,
    row: ContactRow,
    wasPending: boolean,
  ): Promise<ContactResult> {
    const sms = req.channel === 'SMS';
    const clickToCall = !sms && d.ctx.template === 'call' && Boolean(config.TWILIO_AGENT_NUMBER);
    if (!twilio) {
      const file = await writeOutboxFile(
        config.SEGUGIO_DATA_DIR,
        req.idempotencyKey,
        'json',
        JSON.stringify(
          {
            channel: req.channel,
            to,
            language: d.lang,
            text: sms ? d.message.sms : d.message.voice,
            reference: d.ctx.reference,
          },
          null,
          2,
        ),
      );
      return finish(row, {
        status: 'QUEUED',
        provider: 'outbox',
        filePath: file,
        outcome: `${COLLECTOR_TASK_NEEDED}: Twilio is not configured; a collector must ${sms ? 'send the SMS' : 'make the call'}`,
      });
    }
    if (wasPending && clickToCall) {
      // The collector's line rings for many customers, so a call to it proves nothing about this one: never ring
      // twice, hand the call to the collector instead.
      return finish(row, {
        status: 'QUEUED',
        provider: 'collector',
        outcome: `${COLLECTOR_TASK_NEEDED}: a click-to-call may have been interrupted; the collector calls back`,
      });
    }
    if (wasPending) {
      const since = new Date(row.createdAt.getTime() - RECONCILE_SKEW_MS);
      const found = sms
        ? await twilio.findMessage({ to, body: row.body ?? d.message.sms, since })
        : await twilio.findCall({ to, since });
      if (found) {
        log.info({ contactEventId: row.id }, 'reconciled a PENDING contact with Twilio: not sending again');
        return finish(row, { status: 'SENT', provider: 'twilio', providerMessageId: found.sid });
      }
    }
    try {
      const callback = statusCallback(row.id);
      const res = sms
        ? await twilio.sendSms({ to, body: row.body ?? d.message.sms, statusCallback: callback })
        : clickToCall
          ? await twilio.clickToCall({
              agent: config.TWILIO_AGENT_NUMBER!,
              customer: to,
              whisper: `${d.ctx.reference}. ${d.message.title}.`,
              lang: d.lang,
              statusCallback: callback,
            })
          : await twilio.sayCall({ to, text: d.message.voice, lang: d.lang, statusCallback: callback });
      accepted(req);
      return finish(row, {
        status: 'SENT',
        provider: 'twilio',
        providerMessageId: res.sid,
        outcome: clickToCall ? 'CLICK_TO_CALL' : undefined,
      });
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 400 || status === 404) {
        // Twilio refused the number (invalid, unreachable, blocked): retrying cannot help.
        return finish(row, { status: 'FAILED', provider: 'twilio', outcome: `REJECTED_${status}` });
      }
      throw err;
    }
  }

  return {
    async sendContact(req: ContactRequest): Promise<ContactResult> {
      const logCtx = { key: req.idempotencyKey, channel: req.channel, template: req.template, stage: req.stage };
      const existing = await db.contactEvent.findUnique({ where: { idempotencyKey: req.idempotencyKey } });
      const done = existing && recorded(existing);
      if (done) {
        log.info({ ...logCtx, contactEventId: existing.id }, 'contact already recorded: not sending again');
        return done;
      }
      const template = resolveTemplate(req.template);
      if (!template) throw ApplicationFailure.nonRetryable(`unknown template "${req.template}"`, 'BadRequest');
      if (req.channel === 'TASK') {
        const row = await claim(req, {});
        return finish(row, { status: 'SKIPPED', outcome: 'TASK contacts are opened with createTask' });
      }

      const at = now();
      const d = await loadContactData({ db, config, log }, { ...req, template }, at);
      const c = d.customer;
      const recipient =
        req.channel === 'EMAIL'
          ? c.email
          : req.channel === 'PEC'
            ? c.pec
            : req.channel === 'LETTER'
              ? c.addressLine
              : c.phone;
      if (!recipient && !existing) {
        // Nothing to reach on this channel: say so at once, whatever the hour.
        const row = await claim(req, { language: d.lang, subject: d.message.subject });
        log.info(logCtx, 'no address for this channel: skipped');
        return finish(row, { status: 'SKIPPED', outcome: `NO_${req.channel}_ADDRESS` });
      }
      if (req.channel === 'SMS' || req.channel === 'VOICE') {
        const slot = nextContactSlot(at, window);
        if (slot.getTime() !== at.getTime()) {
          const row = existing ?? (await claim(req, {}));
          // A PENDING row keeps its status: the provider may hold the earlier attempt, to reconcile once allowed.
          await db.contactEvent.update({
            where: { id: row.id },
            data: {
              status: existing?.status === 'PENDING' ? 'PENDING' : 'DEFERRED',
              outcome: `not before ${slot.toISOString()}`,
            },
          });
          log.info({ ...logCtx, notBefore: slot.toISOString() }, 'quiet hours: contact deferred');
          return { contactEventId: row.id, status: 'DEFERRED', notBefore: slot.toISOString() };
        }
      }

      const wasPending = existing?.status === 'PENDING';
      const row = await claim(req, {
        language: d.lang,
        subject: d.message.subject,
        recipient: recipient ?? null,
        body: req.channel === 'SMS' ? d.message.sms : req.channel === 'VOICE' ? d.message.voice : null,
      });
      // A PENDING row is retried to the address it recorded, so reconciliation looks where the first attempt went.
      const to = (wasPending ? row.recipient : null) ?? recipient;
      if (!to) {
        log.info(logCtx, 'no address for this channel: skipped');
        return finish(row, { status: 'SKIPPED', outcome: `NO_${req.channel}_ADDRESS` });
      }

      const needsLetter =
        req.channel === 'LETTER' || req.channel === 'PEC' || (req.channel === 'EMAIL' && req.attachLetter === true);
      const letter = needsLetter
        ? await produceLetter(
            { db, config },
            { idempotencyKey: req.idempotencyKey, customerId: c.id, invoiceIds: req.invoiceIds, model: d.letter },
          )
        : null;

      let result: ContactResult;
      switch (req.channel) {
        case 'EMAIL':
        case 'PEC':
          result = await sendEmail(req, d, to, row, wasPending, letter);
          break;
        case 'LETTER':
          result = await finish(row, {
            status: 'QUEUED',
            provider: 'print',
            filePath: letter!.path,
            letterId: letter!.letterId,
            outcome: 'LETTER_READY_TO_PRINT',
          });
          break;
        case 'SMS':
        case 'VOICE':
          result = await sendSmsOrVoice(req, d, to, row, wasPending);
          break;
      }
      log.info({ ...logCtx, contactEventId: result.contactEventId, status: result.status }, 'contact processed');
      return result;
    },
  };
}
