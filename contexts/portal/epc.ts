/**
 * The SEPA credit transfer QR code ("EPC QR", "GiroCode"), as European banking apps read it: EPC069-12 "Quick Response
 * Code — Guidelines to Enable Data Capture for the Initiation of a SEPA Credit Transfer", version 002 (BIC optional),
 * UTF-8, identification SCT, fields separated by LF, at most 331 bytes, error correction level M.
 */
import QRCode from 'qrcode';

export interface EpcTransfer {
  /** Beneficiary name, at most 70 characters. */
  name: string;
  iban: string;
  bic?: string;
  /** In euro cents; 1 … 99,999,999,999 (EUR 999,999,999.99). Omitted: the payer types it. */
  amountMinor?: number;
  /** Unstructured remittance information, at most 140 characters. */
  remittance: string;
}

export class EpcError extends Error {}

const compactIban = (iban: string): string => iban.replace(/\s+/g, '').toUpperCase();

/** ISO 13616 check: two letters, two check digits, up to 30 alphanumerics, mod 97 = 1. */
export function validIban(iban: string): boolean {
  const s = compactIban(iban);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const d of v) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

/** The EPC payload text (12 lines, trailing empty ones dropped as the guidelines allow). */
export function epcPayload(t: EpcTransfer): string {
  const iban = compactIban(t.iban);
  if (!validIban(iban)) throw new EpcError('the beneficiary IBAN is not valid');
  const bic = (t.bic ?? '').replace(/\s+/g, '').toUpperCase();
  if (bic && !/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic)) throw new EpcError('the BIC is not valid');
  const name = t.name.trim();
  if (!name || [...name].length > 70) throw new EpcError('the beneficiary name must be 1 to 70 characters');
  let amount = '';
  if (t.amountMinor !== undefined) {
    if (!Number.isInteger(t.amountMinor) || t.amountMinor < 1 || t.amountMinor > 99_999_999_999)
      throw new EpcError('the amount must be between EUR 0.01 and EUR 999999999.99');
    amount = `EUR${Math.floor(t.amountMinor / 100)}.${String(t.amountMinor % 100).padStart(2, '0')}`;
  }
  const remittance = t.remittance.replace(/[\r\n]+/g, ' ').trim();
  if ([...remittance].length > 140) throw new EpcError('the remittance information must be at most 140 characters');
  const lines = ['BCD', '002', '1', 'SCT', bic, name, iban, amount, '', '', remittance];
  while (lines[lines.length - 1] === '') lines.pop();
  const text = lines.join('\n');
  if (Buffer.byteLength(text, 'utf8') > 331) throw new EpcError('the EPC payload exceeds 331 bytes');
  return text;
}

/**
 * The payment reference a debtor's bank transfer carries: the invoice numbers, as many as fit in 140 characters
 * (then "+N" for the rest), behind a short lead word the collector's bank statement shows.
 */
export function remittanceFor(lead: string, invoiceNumbers: string[]): string {
  let out = lead;
  for (let i = 0; i < invoiceNumbers.length; i++) {
    const next = `${out} ${invoiceNumbers[i]}`;
    const more = invoiceNumbers.length - i - 1;
    const tail = more > 0 ? ` +${more}` : '';
    if ([...`${next}${tail}`].length > 140) return `${out} +${invoiceNumbers.length - i}`;
    out = next;
  }
  return out;
}

/** The QR code of a transfer as a PNG data URL (level M, as EPC069-12 requires). */
export function epcQrDataUrl(payload: string): Promise<string> {
  return QRCode.toDataURL(payload, { errorCorrectionLevel: 'M', margin: 4, scale: 5 });
}
