/**
 * The local outbox used when a provider is not configured: every message is kept as a file under
 * SEGUGIO_DATA_DIR/outbox (RFC 5322 .eml for e-mail, JSON for SMS and calls) next to its QUEUED ContactEvent.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { safeName, writeFileAtomic } from '../../infra/files';

const encodeHeader = (s: string): string =>
  /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
const wrap76 = (b64: string): string => b64.replace(/.{1,76}/g, '$&\r\n');

export interface EmlInput {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  language: string;
  idempotencyKey: string;
  date: Date;
  attachment?: { filename: string; content: Buffer; type: string };
}

/** A complete MIME message: multipart/mixed (alternative text + html, optional PDF). */
export function buildEml(m: EmlInput): string {
  const id = crypto.createHash('sha256').update(m.idempotencyKey).digest('hex').slice(0, 24);
  const mixed = `mixed-${id}`;
  const alt = `alt-${id}`;
  const lines = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${encodeHeader(m.subject)}`,
    `Date: ${m.date.toUTCString()}`,
    `Message-ID: <${id}@segugio.outbox>`,
    `Content-Language: ${m.language}`,
    `X-Segugio-Idempotency-Key: ${m.idempotencyKey}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    '',
    `--${alt}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    wrap76(Buffer.from(m.text, 'utf8').toString('base64')),
    `--${alt}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    wrap76(Buffer.from(m.html, 'utf8').toString('base64')),
    `--${alt}--`,
  ];
  if (m.attachment) {
    lines.push(
      `--${mixed}`,
      `Content-Type: ${m.attachment.type}; name="${m.attachment.filename}"`,
      `Content-Disposition: attachment; filename="${m.attachment.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      wrap76(m.attachment.content.toString('base64')),
    );
  }
  lines.push(`--${mixed}--`, '');
  return lines.join('\r\n');
}

export async function writeOutboxFile(
  dataDir: string,
  idempotencyKey: string,
  ext: 'eml' | 'json',
  content: string,
): Promise<string> {
  const file = path.join(dataDir, 'outbox', `${safeName(idempotencyKey)}.${ext}`);
  await writeFileAtomic(file, content);
  return file;
}
