/**
 * HMAC-SHA256 signatures of ERP webhooks, both directions: `X-Segugio-Timestamp: <unix seconds>` and
 * `X-Segugio-Signature: sha256=<hex HMAC(secret, timestamp + "." + raw body)>`. The timestamp inside the MAC and a
 * replay window make a captured request useless after WEBHOOK_TOLERANCE_SECONDS.
 */
import crypto from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-segugio-timestamp';
export const SIGNATURE_HEADER = 'x-segugio-signature';

export function signErpPayload(secret: string, timestamp: number, body: string | Buffer): string {
  const mac = crypto.createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyErpSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  nowSeconds: number;
  toleranceSeconds: number;
}): SignatureCheck {
  if (!input.timestamp || !/^\d{1,12}$/.test(input.timestamp))
    return { ok: false, reason: 'missing or malformed timestamp' };
  if (!input.signature) return { ok: false, reason: 'missing signature' };
  const ts = Number(input.timestamp);
  if (Math.abs(input.nowSeconds - ts) > input.toleranceSeconds)
    return { ok: false, reason: 'timestamp outside the replay window' };
  const expected = Buffer.from(signErpPayload(input.secret, ts, input.body));
  const given = Buffer.from(input.signature.trim());
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given))
    return { ok: false, reason: 'bad signature' };
  return { ok: true };
}
