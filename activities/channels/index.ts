/**
 * sendContact: one outbound contact through its channel — e-mail (SendGrid or the local outbox), SMS and calls
 * (Twilio or the outbox plus a collector task), letters (PDF to print) and PEC (SMTP submission through the
 * company's PEC mailbox; its receipts are read back by ./pec-receipts.ts).
 *
 * Idempotency (docs/channels.md): the ContactEvent with the request's unique key is inserted as PENDING before any
 * provider is called and updated to SENT/QUEUED afterwards. A retry that finds SENT/QUEUED/SKIPPED returns the
 * recorded result. A retry that finds PENDING (the previous attempt died between the insert and the update) first
 * asks the provider whether it already has the message (Twilio: list by recipient, sender, time and body; SendGrid:
 * the Email Activity API by the idempotency key in custom args, or a `processed`/`delivered` event already recorded
 * by the webhook; PEC: a receipt in the PEC mailbox for the Message-ID derived from the key) and only sends when the
 * provider has nothing.
 *
 * A PEC is never SENT on submission: the row stays SUBMITTED (the workflow hears QUEUED) until the provider's
 * acceptance receipt makes it ACCEPTED (DPR 68/2005 art. 6: the acceptance receipt is the proof of sending).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ContactRequest, ContactResult, SegugioActivities, StatementRequest } from '../types';
import { extraHolidays, type Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import type { Logger } from '../../infra/logger';
import {
  DEFAULT_CONTACT_WINDOW,
  nextContactSlot,
  parseHoursRange,
  type ContactWindowRules,
} from '../../domain/calendar';
import { buildStatement, statementOptionsFromConfig } from '../../contexts/statements';
import type { Language } from '../../workflows/contract';
import { loadContactData, type ContactData } from './context';
import { produceStatementFile, STATEMENT_TEMPLATE, statementMail } from './statement';
import { linkForMessage } from '../../contexts/portal/links';
import { emailBodies } from './email';
import { produceLetter, type StoredLetter } from './letters/store';
import { resolveTemplate } from './messages';
import { buildEml, writeOutboxFile } from './outbox';
import { createPecGateway, isPermanentSmtpError, pecMessageId, pecSettings, type PecGateway } from './providers/pec';
import { sendGridFromConfig, sendGridStatus, type SendGridGateway } from './providers/sendgrid';
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
  pec?: PecGateway | null;
}

type ContactRow = NonNullable<Awaited<ReturnType<Db['contactEvent']['findUnique']>>>;
/** What the e-mail and PEC paths need of a request and of its message. */
type Keyed = Pick<ContactRequest, 'idempotencyKey' | 'channel'>;
type Claimable = Omit<ContactRequest, 'stage'> & { stage?: ContactRequest['stage'] };
interface Mail {
  subject: string;
  text: string;
  html: string;
  lang: Language;
}
const mailOf = (d: ContactData): Mail => ({
  subject: d.message.subject,
  lang: d.lang,
  ...emailBodies(d.message, d.ctx),
});

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
    extraHolidays: extraHolidays(config),
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
    case 'SUBMITTED':
      // A PEC handed to the provider without an acceptance receipt yet: not SENT (docs/channels.md).
      return { ...base, status: 'QUEUED', detail: 'PEC_SUBMITTED' };
    case 'SKIPPED':
    case 'FAILED':
      return { ...base, status: 'SKIPPED', detail: row.outcome ?? row.status };
    default:
      // SENT and everything webhooks move it to afterwards (DELIVERED, BOUNCED, COMPLETED, NO_ANSWER…).
      return { ...base, status: 'SENT', detail: row.status === 'SENT' ? undefined : row.status };
  }
}

export function createContactActivities(deps: ContactDeps): Pick<SegugioActivities, 'sendContact' | 'sendStatement'> {
  const { db, config, log } = deps;
  const now = deps.now ?? (() => new Date());
  const window = contactWindowFromConfig(config);
  const sendgrid = sendGridFromConfig(config, deps.sendgrid);
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
  const pecConfig = pecSettings(config);
  const pec = deps.pec !== undefined ? deps.pec : pecConfig ? createPecGateway(pecConfig) : null;

  const statusCallback = (contactEventId: string): string | undefined =>
    config.PUBLIC_BASE_URL
      ? `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/v1/webhooks/twilio/status?contactEventId=${encodeURIComponent(contactEventId)}`
      : undefined;

  async function finish(
    row: ContactRow,
    data: {
      status: 'SENT' | 'QUEUED' | 'SUBMITTED' | 'SKIPPED' | 'FAILED' | 'DEFERRED';
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
        sentAt: data.status === 'SENT' || data.status === 'QUEUED' || data.status === 'SUBMITTED' ? now() : row.sentAt,
      },
    });
    return recorded(updated)!;
  }

  /**
   * finish() for a PEC: only a PENDING row moves, because the receipt reader may already have recorded the
   * acceptance (or more) between the submission and this update, and a status never goes back.
   */
  async function finishPec(
    row: ContactRow,
    data: { status: 'SUBMITTED' | 'FAILED'; messageId?: string; outcome?: string; letterId?: string },
  ): Promise<ContactResult> {
    await db.contactEvent.updateMany({
      where: { id: row.id, status: 'PENDING' },
      data: {
        status: data.status,
        provider: 'pec',
        providerMessageId: data.messageId ?? row.providerMessageId,
        outcome: data.outcome ?? null,
        letterId: data.letterId ?? row.letterId,
        sentAt: data.status === 'SUBMITTED' ? now() : row.sentAt,
      },
    });
    return recorded(await db.contactEvent.findUniqueOrThrow({ where: { id: row.id } }))!;
  }

  async function sendPec(
    req: Keyed,
    d: Mail,
    to: string,
    row: ContactRow,
    wasPending: boolean,
    letter: StoredLetter | null,
  ): Promise<ContactResult> {
    const { text, html } = d;
    const attachment = letter ? { filename: letter.filename, content: letter.pdf, type: 'application/pdf' } : undefined;
    if (!pec) {
      // Without a PEC mailbox nothing can give this notice legal value: it waits in the outbox for a person.
      return toOutbox(req, d, to, row, letter, config.PEC_FROM ?? config.LETTERHEAD_PEC ?? config.SENDGRID_FROM, {
        status: 'QUEUED',
        outcome: `${COLLECTOR_TASK_NEEDED}: no PEC mailbox is configured; a collector must send this notice by PEC`,
      });
    }
    const messageId = pecMessageId(req.idempotencyKey, pec.from);
    if (wasPending) {
      const stored = await db.noticeReceipt.count({ where: { contactEventId: row.id } });
      if (stored > 0 || (await pec.hasReceiptFor(messageId))) {
        log.info({ contactEventId: row.id }, 'reconciled a PENDING PEC with its receipts: not submitting again');
        return finishPec(row, { status: 'SUBMITTED', messageId, letterId: letter?.letterId });
      }
    }
    // The Message-ID is on the row before the provider hears of it: a receipt read early still finds its contact.
    await db.contactEvent.update({ where: { id: row.id }, data: { provider: 'pec', providerMessageId: messageId } });
    try {
      await pec.submit({
        to,
        subject: d.subject,
        text,
        html,
        language: d.lang,
        idempotencyKey: req.idempotencyKey,
        attachment,
      });
    } catch (err) {
      if (isPermanentSmtpError(err)) {
        // The provider refused the submission itself (no receipt will come): retrying cannot help.
        const code = (err as { responseCode: number }).responseCode;
        return finishPec(row, { status: 'FAILED', messageId, outcome: `REJECTED_${code}` });
      }
      throw err;
    }
    accepted(req);
    return finishPec(row, { status: 'SUBMITTED', messageId, letterId: letter?.letterId });
  }

  /** No provider configured: the message as an .eml file in the outbox, the contact row saying so. */
  async function toOutbox(
    req: Keyed,
    d: Mail,
    to: string,
    row: ContactRow,
    letter: StoredLetter | null,
    from: string,
    result: { status: 'QUEUED'; outcome: string },
  ): Promise<ContactResult> {
    const { text, html } = d;
    const attachment = letter ? { filename: letter.filename, content: letter.pdf, type: 'application/pdf' } : undefined;
    const eml = buildEml({
      from,
      to,
      subject: d.subject,
      text,
      html,
      language: d.lang,
      idempotencyKey: req.idempotencyKey,
      date: now(),
      attachment,
    });
    const file = await writeOutboxFile(config.SEGUGIO_DATA_DIR, req.idempotencyKey, 'eml', eml);
    return finish(row, { ...result, provider: 'outbox', filePath: file, letterId: letter?.letterId });
  }

  /** Insert-or-get the contact row; the unique key makes concurrent or repeated attempts converge on one row. */
  async function claim(req: Claimable, fields: Record<string, unknown>): Promise<ContactRow> {
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

  const accepted = (req: Keyed): void =>
    deps.faults?.afterProviderAccepted?.({ idempotencyKey: req.idempotencyKey, channel: req.channel });

  async function sendEmail(
    req: Keyed,
    d: Mail,
    to: string,
    row: ContactRow,
    wasPending: boolean,
    letter: StoredLetter | null,
  ): Promise<ContactResult> {
    const { text, html } = d;
    const attachment = letter ? { filename: letter.filename, content: letter.pdf, type: 'application/pdf' } : undefined;
    if (!sendgrid)
      return toOutbox(req, d, to, row, letter, config.SENDGRID_FROM, { status: 'QUEUED', outcome: 'OUTBOX' });
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
        subject: d.subject,
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

      // The debtor's personal portal link, minted or reused here (never in the workflow: the token must stay out of
      // Temporal history). The one live link per customer makes a retry carry the same link.
      if (req.channel === 'EMAIL' || req.channel === 'PEC' || req.channel === 'LETTER') {
        const link = await linkForMessage({ db, config }, c.id, now());
        if (link) {
          d.ctx.portal = { url: link.url };
          d.letter.portal = { url: link.url, shortUrl: link.shortUrl };
          if (row.portalLinkId !== link.linkId) {
            await db.contactEvent.update({ where: { id: row.id }, data: { portalLinkId: link.linkId } });
          }
        }
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
          result = await sendEmail(req, mailOf(d), to, row, wasPending, letter);
          break;
        case 'PEC':
          result = await sendPec(req, mailOf(d), to, row, wasPending, letter);
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

    async sendStatement(req: StatementRequest): Promise<ContactResult> {
      const logCtx = { key: req.idempotencyKey, channel: req.channel, template: STATEMENT_TEMPLATE };
      const existing = await db.contactEvent.findUnique({ where: { idempotencyKey: req.idempotencyKey } });
      const done = existing && recorded(existing);
      if (done) {
        log.info({ ...logCtx, contactEventId: existing.id }, 'statement already recorded: not sending again');
        return done;
      }
      if (req.channel !== 'EMAIL' && req.channel !== 'PEC') {
        throw ApplicationFailure.nonRetryable(`a statement goes by EMAIL or PEC, not ${req.channel}`, 'BadRequest');
      }
      const statement = await buildStatement(db, req.customerId, now(), statementOptionsFromConfig(config));
      const lang = req.lang ?? statement.customer.language;
      // The debtor's personal portal link (minted or reused here, never in the workflow), as in every message.
      const link = await linkForMessage({ db, config }, req.customerId, now());
      const mail = { ...statementMail(statement, lang, config.LETTERHEAD_NAME, link?.url), lang };
      // The invoices the statement lists (or those whose step asked, when nothing is open any more).
      const listed = [...new Set(statement.sections.flatMap((s) => s.lines.map((l) => l.invoiceId)))];
      const claimable: Claimable = {
        idempotencyKey: req.idempotencyKey,
        customerId: req.customerId,
        invoiceIds: req.invoiceIds.length ? req.invoiceIds : listed,
        channel: req.channel,
        ...(req.stage ? { stage: req.stage } : {}),
        template: STATEMENT_TEMPLATE,
      };
      const recipient = req.channel === 'EMAIL' ? statement.customer.email : statement.customer.pec;
      const wasPending = existing?.status === 'PENDING';
      const row = await claim(claimable, { language: lang, subject: mail.subject, recipient: recipient ?? null });
      const to = (wasPending ? row.recipient : null) ?? recipient;
      if (!to) {
        log.info(logCtx, 'no address for this channel: statement skipped');
        return finish(row, { status: 'SKIPPED', outcome: `NO_${req.channel}_ADDRESS` });
      }
      if (link && row.portalLinkId !== link.linkId) {
        await db.contactEvent.update({ where: { id: row.id }, data: { portalLinkId: link.linkId } });
      }
      const file = await produceStatementFile(
        { db, config },
        {
          idempotencyKey: req.idempotencyKey,
          statement,
          lang,
          invoiceIds: claimable.invoiceIds,
          ...(link ? { portal: { url: link.url, shortUrl: link.shortUrl } } : {}),
        },
      );
      const result =
        req.channel === 'EMAIL'
          ? await sendEmail(req, mail, to, row, wasPending, file)
          : await sendPec(req, mail, to, row, wasPending, file);
      log.info({ ...logCtx, contactEventId: result.contactEventId, status: result.status }, 'statement processed');
      return result;
    },
  };
}
