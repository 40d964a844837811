/**
 * The company's PEC mailbox at its PEC provider: SMTP submission (nodemailer) for outgoing notices and IMAP
 * (imapflow) for the receipts the provider writes back into the same mailbox. The Message-ID of each notice is
 * derived from its idempotency key, so a retried submission carries the same id and its receipts find the contact.
 */
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import type { Config } from '../../../infra/config';

export interface PecSettings {
  smtp: { host: string; port: number; tls: 'implicit' | 'starttls' | 'none' };
  imap: { host: string; port: number; tls: 'implicit' | 'starttls' | 'none'; mailbox: string };
  user: string;
  password: string;
  from: string;
  verifyTls: boolean;
}

/** The PEC settings of a configuration, or null when no PEC mailbox is configured (config.ts checks completeness). */
export function pecSettings(config: Config): PecSettings | null {
  if (!config.PEC_SMTP_HOST || !config.PEC_IMAP_HOST || !config.PEC_USER || !config.PEC_PASSWORD) return null;
  return {
    smtp: { host: config.PEC_SMTP_HOST, port: config.PEC_SMTP_PORT, tls: config.PEC_SMTP_TLS },
    imap: {
      host: config.PEC_IMAP_HOST,
      port: config.PEC_IMAP_PORT,
      tls: config.PEC_IMAP_TLS,
      mailbox: config.PEC_IMAP_MAILBOX,
    },
    user: config.PEC_USER,
    password: config.PEC_PASSWORD,
    from: config.PEC_FROM ?? config.PEC_USER,
    verifyTls: config.PEC_TLS_VERIFY,
  };
}

/** `segugio.<hash of the key>@<domain of the PEC address>`: stable across retries, unique per notice. */
export function pecMessageId(idempotencyKey: string, from: string): string {
  const hash = crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  const domain = from.split('@')[1] ?? 'segugio.invalid';
  return `segugio.${hash}@${domain}`;
}

export interface PecMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  language: string;
  idempotencyKey: string;
  attachment?: { filename: string; content: Buffer; type: string };
}

export interface PecGateway {
  from: string;
  /** Submits one message; resolves once the provider's SMTP server accepted it (not yet the acceptance receipt). */
  submit(m: PecMessage): Promise<{ messageId: string; response: string }>;
  /** Whether the mailbox already holds a receipt about this Message-ID (reconciling an interrupted submission). */
  hasReceiptFor(messageId: string): Promise<boolean>;
  /** A connected IMAP client on the receipts mailbox; the caller logs out. */
  openMailbox(): Promise<ImapFlow>;
  close(): void;
}

/** Errors of the SMTP dialogue that say the provider refused this message for good (5xx). */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function createPecGateway(s: PecSettings): PecGateway {
  const transport = nodemailer.createTransport({
    host: s.smtp.host,
    port: s.smtp.port,
    secure: s.smtp.tls === 'implicit',
    requireTLS: s.smtp.tls === 'starttls',
    ignoreTLS: s.smtp.tls === 'none',
    auth: { user: s.user, pass: s.password },
    tls: { rejectUnauthorized: s.verifyTls },
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });

  const openMailbox = async (): Promise<ImapFlow> => {
    const client = new ImapFlow({
      host: s.imap.host,
      port: s.imap.port,
      secure: s.imap.tls === 'implicit',
      doSTARTTLS: s.imap.tls === 'starttls' ? true : s.imap.tls === 'none' ? false : undefined,
      auth: { user: s.user, pass: s.password },
      tls: { rejectUnauthorized: s.verifyTls },
      logger: false,
      connectionTimeout: 30_000,
    });
    await client.connect();
    return client;
  };

  return {
    from: s.from,
    async submit(m) {
      const messageId = pecMessageId(m.idempotencyKey, s.from);
      const info = await transport.sendMail({
        from: s.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: `<${messageId}>`,
        headers: { 'Content-Language': m.language, 'X-Segugio-Idempotency-Key': m.idempotencyKey },
        attachments: m.attachment
          ? [{ filename: m.attachment.filename, content: m.attachment.content, contentType: m.attachment.type }]
          : [],
      });
      return { messageId, response: String(info.response ?? '') };
    },
    async hasReceiptFor(messageId) {
      const client = await openMailbox();
      try {
        const lock = await client.getMailboxLock(s.imap.mailbox);
        try {
          const found = await client.search({ header: { 'X-Riferimento-Message-ID': messageId } }, { uid: true });
          return Array.isArray(found) && found.length > 0;
        } finally {
          lock.release();
        }
      } finally {
        await client.logout().catch(() => undefined);
      }
    },
    openMailbox,
    close: () => transport.close(),
  };
}
