/**
 * Reading a PEC provider's receipt (ricevuta) as the technical rules of DPR 68/2005 (DM 2 November 2005, annex) have
 * every provider write it: the `X-Ricevuta` header names the receipt type, `X-Riferimento-Message-ID` the Message-ID
 * of the message it certifies, and the attached `daticert.xml` carries the certified data — `<postacert tipo=…>`,
 * `<dati><data zona="+0100"><giorno>dd/mm/yyyy</giorno><ora>hh:mm:ss</ora></data>`, `<identificativo>`,
 * `<msgid>`, `<consegna>` (the recipient reached, on delivery receipts) and `<errore-esteso>`. The daticert wins over
 * the headers when both are present: it is the signed part.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { PEC_RECEIPT_TYPES, type PecReceiptKind } from '../../domain/notices';

export interface PecReceipt {
  kind: PecReceiptKind;
  /** The `tipo` as the provider wrote it (accettazione, avvenuta-consegna…). */
  tipo: string;
  /** Message-ID (without angle brackets) of the message this receipt certifies: ours. */
  refMessageId: string;
  /** ISO instant of the certified event (daticert `<data>`; the Date header when no daticert). */
  at: string;
  /** The provider's identifier of the certified message (daticert `<identificativo>`). */
  identificativo: string | null;
  /** The recipient the receipt is about (`<consegna>`, or the `<destinatari>` of an acceptance). */
  recipient: string | null;
  /** The provider that issued the receipt (`<gestore-emittente>`). */
  issuer: string | null;
  /** `errore` attribute and `<errore-esteso>`: why a message was not accepted or not delivered. */
  error: string | null;
  /** The daticert.xml as received, for the evidence file. */
  daticert: Buffer | null;
  /** The receipt's own Message-ID header. */
  messageId: string | null;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (s: string): string =>
  s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, e: string) =>
      e[0] === '#'
        ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
        : ENTITIES[e.toLowerCase()]!,
    )
    .trim();

/** Text of the first `<name …>…</name>` element, or null; the daticert schema has no namespaces and no nesting of equal names. */
function element(xml: string, name: string): { attrs: string; text: string } | null {
  const m = new RegExp(`<${name}(\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}\\s*>)`, 'i').exec(xml);
  return m ? { attrs: m[1] ?? '', text: m[2] ?? '' } : null;
}
const attr = (attrs: string, name: string): string | null => {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(attrs);
  return m ? decode(m[2] ?? m[3] ?? '') : null;
};
const text = (xml: string, name: string): string | null => {
  const e = element(xml, name);
  return e ? decode(e.text) || null : null;
};
const bare = (id: string): string => id.trim().replace(/^<|>$/g, '');

export interface Daticert {
  tipo: string;
  errore: string | null;
  identificativo: string | null;
  msgid: string | null;
  at: string | null;
  consegna: string | null;
  destinatari: string | null;
  gestore: string | null;
  erroreEsteso: string | null;
}

/**
 * The certified data of a daticert.xml. The date is local time with its offset (`zona="+0100"`), as the annex
 * prescribes; it is returned as a UTC ISO instant.
 */
export function parseDaticert(xml: string): Daticert | null {
  const root = element(xml, 'postacert');
  if (!root) return null;
  const tipo = attr(root.attrs, 'tipo');
  if (!tipo) return null;
  const data = element(root.text, 'data');
  let at: string | null = null;
  if (data) {
    const giorno = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text(data.text, 'giorno') ?? '');
    const ora = /^(\d{2}):(\d{2}):(\d{2})$/.exec(text(data.text, 'ora') ?? '');
    const zona = /^([+-])(\d{2})(\d{2})$/.exec(attr(data.attrs, 'zona') ?? '+0000');
    if (giorno && ora && zona) {
      const iso = `${giorno[3]}-${giorno[2]}-${giorno[1]}T${ora[1]}:${ora[2]}:${ora[3]}${zona[1]}${zona[2]}:${zona[3]}`;
      const ms = Date.parse(iso);
      if (Number.isFinite(ms)) at = new Date(ms).toISOString();
    }
  }
  const errore = attr(root.attrs, 'errore');
  return {
    tipo: tipo.toLowerCase(),
    errore: errore && errore !== 'nessuno' ? errore : null,
    identificativo: text(root.text, 'identificativo'),
    msgid: text(root.text, 'msgid'),
    at,
    consegna: text(root.text, 'consegna'),
    destinatari: text(root.text, 'destinatari'),
    gestore: text(root.text, 'gestore-emittente'),
    erroreEsteso: text(root.text, 'errore-esteso'),
  };
}

const header = (mail: ParsedMail, name: string): string | null => {
  const v = mail.headers.get(name.toLowerCase());
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : String((v as { text?: string }).text ?? v);
};

/**
 * Reads a raw message from the PEC mailbox: the receipt it is, or null when it is not a receipt (an ordinary PEC
 * a debtor sent us, a provider's newsletter). A receipt without a Message-ID reference cannot be matched and is
 * also null.
 */
export async function parsePecReceipt(raw: Buffer): Promise<PecReceipt | null> {
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const att = mail.attachments.find((a) => (a.filename ?? '').toLowerCase() === 'daticert.xml');
  const daticert = att ? parseDaticert(att.content.toString('utf8')) : null;
  const tipo = (daticert?.tipo ?? header(mail, 'X-Ricevuta') ?? '').trim().toLowerCase();
  const kind = (PEC_RECEIPT_TYPES as Record<string, PecReceiptKind>)[tipo];
  if (!kind) return null;
  const ref = header(mail, 'X-Riferimento-Message-ID') ?? daticert?.msgid ?? null;
  if (!ref) return null;
  const error = [daticert?.errore, daticert?.erroreEsteso].filter(Boolean).join(': ') || null;
  return {
    kind,
    tipo,
    refMessageId: bare(ref),
    at: daticert?.at ?? (mail.date ?? new Date()).toISOString(),
    identificativo: daticert?.identificativo ?? null,
    recipient: daticert?.consegna ?? daticert?.destinatari ?? null,
    issuer: daticert?.gestore ?? null,
    error,
    daticert: att?.content ?? null,
    messageId: mail.messageId ? bare(mail.messageId) : null,
  };
}

/**
 * The identity of a receipt across duplicates: the provider may write the same receipt twice (a retried delivery to
 * our mailbox) and IMAP shows each copy with its own UID. One receipt per (type, certified message, recipient).
 */
export function receiptDedupeKey(r: PecReceipt): string {
  return `pec:${r.kind}:${r.identificativo ?? r.refMessageId}:${(r.recipient ?? '').toLowerCase()}`;
}
