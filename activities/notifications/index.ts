/**
 * Notification activities: plan (scan the mirror, insert the notifications due) and deliver (one e-mail through
 * SendGrid, or the local outbox without it). Delivery follows sendContact's rule (docs/channels.md): the row exists
 * before the provider is called and is marked before the call with the provider it goes to; a retry that finds it
 * SENT/QUEUED returns, one that finds it PENDING after a call began asks SendGrid for the key first.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import type { Logger } from '../../infra/logger';
import { LANGUAGES, type Language } from '../../workflows/contract';
import { planDigests, planNotifications, type PlanSettings } from '../../contexts/notifications/planner';
import type { NotificationKind } from '../../contexts/notifications/preferences';
import { buildEml, writeOutboxFile } from '../channels/outbox';
import { sendGridFromConfig, sendGridStatus, type SendGridGateway } from '../channels/providers/sendgrid';
import { renderNotification } from './messages';

export interface NotificationDeps {
  db: Db;
  config: Config;
  log: Logger;
  sendgrid?: SendGridGateway | null;
  /** Test-only fault injection: runs after the provider accepted a message and before the database records it. */
  faults?: { afterProviderAccepted?: (info: { idempotencyKey: string }) => void };
}

export interface DeliveryResult {
  status: string;
}

export function planSettingsOf(config: Config): PlanSettings {
  return {
    timeZone: config.SEGUGIO_TZ,
    stepLead: config.NOTIFY_STEP_LEAD,
    approvalReminder: config.NOTIFY_APPROVAL_REMINDER,
    lookback: config.NOTIFY_LOOKBACK,
    digestHour: config.NOTIFY_DIGEST_HOUR,
  };
}

export function createNotificationActivities(deps: NotificationDeps) {
  const { db, config, log } = deps;
  const settings = planSettingsOf(config);
  const sendgrid = sendGridFromConfig(config, deps.sendgrid);
  const at = (asOf?: string): Date => (asOf ? new Date(asOf) : new Date());

  return {
    /** Scans the mirror at `asOf` (the workflow's clock): inserts what is new, returns the ids to send. */
    async planNotifications(input: { asOf?: string } = {}): Promise<{ inserted: number; pending: string[] }> {
      const r = await planNotifications(db, at(input.asOf), settings);
      if (r.inserted) log.info({ inserted: r.inserted }, 'notifications planned');
      return r;
    },
    /** The daily digests due at `asOf`: inserts them, returns the digest ids to send. */
    async planDigests(input: { asOf?: string } = {}): Promise<{ inserted: number; pending: string[] }> {
      const r = await planDigests(db, at(input.asOf), settings);
      if (r.inserted) log.info({ inserted: r.inserted }, 'digests planned');
      return r;
    },
    /** Sends one notification, at most once whatever the retries. */
    async deliverNotification(input: { id: string }): Promise<DeliveryResult> {
      const row = await db.notification.findUnique({ where: { id: input.id }, include: { user: true } });
      if (!row) throw ApplicationFailure.nonRetryable(`notification ${input.id} not found`, 'NotFound');
      const logCtx = { notificationId: row.id, kind: row.kind };
      if (row.status !== 'PENDING') return { status: row.status };
      const to = row.recipient ?? row.user.email;
      if (!to) {
        await db.notification.update({ where: { id: row.id }, data: { status: 'SKIPPED', outcome: 'NO_EMAIL' } });
        return { status: 'SKIPPED' };
      }
      const lang: Language = (LANGUAGES as readonly string[]).includes(row.language ?? row.user.language)
        ? ((row.language ?? row.user.language) as Language)
        : 'it';
      const msg = renderNotification(row.kind as NotificationKind, row.params as Record<string, unknown>, {
        lang,
        timeZone: config.SEGUGIO_TZ,
        recipientName: row.user.name,
      });
      const finish = async (data: {
        status: 'SENT' | 'QUEUED' | 'FAILED';
        provider: string;
        providerMessageId?: string | null;
        filePath?: string;
        outcome?: string;
      }): Promise<DeliveryResult> => {
        // Only a PENDING row moves: a webhook may already have recorded a later status.
        await db.notification.updateMany({
          where: { id: row.id, status: 'PENDING' },
          data: { ...data, sentAt: data.status === 'FAILED' ? null : new Date() },
        });
        log.info({ ...logCtx, status: data.status, provider: data.provider }, 'notification processed');
        return { status: data.status };
      };
      // Language, address and subject are fixed before the provider hears of it; a retry sends exactly this.
      const attempted = row.provider !== null;
      await db.notification.update({
        where: { id: row.id },
        data: { language: lang, recipient: to, subject: msg.subject, provider: sendgrid ? 'sendgrid' : 'outbox' },
      });
      if (!sendgrid) {
        // The outbox file is named by the key: writing it again replaces the same file, never a second message.
        const eml = buildEml({
          from: config.SENDGRID_FROM,
          to,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
          language: lang,
          idempotencyKey: `notify:${row.idempotencyKey}`,
          date: new Date(),
        });
        const file = await writeOutboxFile(config.SEGUGIO_DATA_DIR, `notify-${row.id}`, 'eml', eml);
        return finish({ status: 'QUEUED', provider: 'outbox', filePath: file, outcome: 'OUTBOX' });
      }
      if (attempted) {
        const found = await sendgrid.findByKey(`notify:${row.idempotencyKey}`);
        if (found && found !== 'unavailable') {
          log.info(logCtx, 'reconciled a PENDING notification with SendGrid: not sending again');
          return finish({ status: 'SENT', provider: 'sendgrid', providerMessageId: found });
        }
      }
      try {
        const res = await sendgrid.send({
          to,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
          language: lang,
          customArgs: { segugio_key: `notify:${row.idempotencyKey}`, notification_id: row.id },
        });
        deps.faults?.afterProviderAccepted?.({ idempotencyKey: row.idempotencyKey });
        return finish({ status: 'SENT', provider: 'sendgrid', providerMessageId: res.messageId });
      } catch (err) {
        const status = sendGridStatus(err);
        if (status === 400 || status === 413 || status === 422)
          return finish({ status: 'FAILED', provider: 'sendgrid', outcome: `REJECTED_${status}` });
        throw err;
      }
    },
  };
}

export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
