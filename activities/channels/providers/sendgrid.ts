/**
 * SendGrid through the official SDK: a MailService with its own Client, so SENDGRID_BASE_URL (tests, proxies) is
 * set with `client.setDefaultRequest('baseUrl', …)` without touching the package-wide singletons.
 */
import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { Config } from '../../../infra/config';

export interface SendGridSettings {
  apiKey: string;
  from: string;
  fromName?: string;
  baseUrl?: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  language: string;
  /** Custom args travel with every event SendGrid posts back to the event webhook. */
  customArgs: Record<string, string>;
  attachment?: { filename: string; content: Buffer; type: string };
}

export interface SendGridGateway {
  send(mail: OutgoingMail): Promise<{ messageId: string | null }>;
  /**
   * Looks a message up by its idempotency key in the Email Activity API (a paid SendGrid add-on). Returns the
   * message id when found, null when not found, 'unavailable' when the API cannot answer (no add-on, no access).
   */
  findByKey(key: string): Promise<string | null | 'unavailable'>;
}

/** Errors SendGrid's SDK throws carry the HTTP status in `code`. */
export const sendGridStatus = (err: unknown): number | undefined => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
};

export function createSendGridGateway(s: SendGridSettings): SendGridGateway {
  const client = new Client();
  client.setApiKey(s.apiKey);
  if (s.baseUrl) client.setDefaultRequest('baseUrl', s.baseUrl);
  const mail = new MailService();
  mail.setClient(client);
  // A hung request must fail inside the activity's own timeout; a timeout after SendGrid accepted leaves the row
  // PENDING, which the retry reconciles.
  mail.setTimeout(20_000);
  return {
    async send(m) {
      const [res] = await mail.send({
        to: m.to,
        from: s.fromName ? { email: s.from, name: s.fromName } : s.from,
        subject: m.subject,
        text: m.text,
        html: m.html,
        customArgs: m.customArgs,
        headers: { 'Content-Language': m.language },
        ...(m.attachment
          ? {
              attachments: [
                {
                  filename: m.attachment.filename,
                  content: m.attachment.content.toString('base64'),
                  type: m.attachment.type,
                  disposition: 'attachment',
                },
              ],
            }
          : {}),
      });
      const id = res.headers['x-message-id'] as string | undefined;
      return { messageId: id ?? null };
    },
    async findByKey(key) {
      try {
        const [, body] = await client.request({
          method: 'GET',
          url: '/v3/messages',
          qs: { query: `unique_args['segugio_key']="${key.replace(/"/g, '')}"`, limit: 10 },
        });
        const messages = (body as { messages?: Array<{ msg_id: string }> }).messages ?? [];
        return messages[0]?.msg_id ?? null;
      } catch (err) {
        const status = sendGridStatus(err);
        if (status === 401 || status === 403 || status === 404) return 'unavailable';
        throw err;
      }
    },
  };
}

/** The gateway the configuration asks for: `given` when the caller injects one (tests), none without an API key. */
export function sendGridFromConfig(config: Config, given?: SendGridGateway | null): SendGridGateway | null {
  if (given !== undefined) return given;
  if (!config.SENDGRID_API_KEY) return null;
  return createSendGridGateway({
    apiKey: config.SENDGRID_API_KEY,
    from: config.SENDGRID_FROM,
    fromName: config.SENDGRID_FROM_NAME,
    baseUrl: config.SENDGRID_BASE_URL,
  });
}
