/**
 * Proof of receipt of a notice (PEC receipts, raccomandata A/R) and the term that runs from it. Pure: workflows,
 * activities and the API import it. Legal sources in docs/channels.md ("PEC and registered mail").
 */
import { italianHolidays, localDate, zonedInstant } from './calendar';

/**
 * The receipts a PEC provider writes into the sender's mailbox, by the value of their `X-Ricevuta` header and of the
 * `tipo` attribute of `daticert.xml` (technical rules of DPR 68/2005: DM 2 November 2005, annex).
 */
export const PEC_RECEIPT_TYPES = {
  accettazione: 'ACCEPTANCE',
  'non-accettazione': 'NON_ACCEPTANCE',
  'presa-in-carico': 'TAKING_CHARGE',
  'avvenuta-consegna': 'DELIVERY',
  'errore-consegna': 'NON_DELIVERY',
  'preavviso-errore-consegna': 'DELIVERY_WARNING',
  'rilevazione-virus': 'VIRUS',
} as const;
export type PecReceiptKind = (typeof PEC_RECEIPT_TYPES)[keyof typeof PEC_RECEIPT_TYPES];

/** What a raccomandata's tracking can say: posted with its number, delivered on a date, returned to the sender. */
export const LETTER_RECEIPT_KINDS = ['POSTED', 'DELIVERED', 'RETURNED'] as const;
export type LetterReceiptKind = (typeof LETTER_RECEIPT_KINDS)[number];

/**
 * The state of a formal notice as its proofs show it. SUBMITTED: handed to our PEC provider, no acceptance receipt
 * yet (never shown as SENT); ACCEPTED: the provider's acceptance receipt (PEC) or the post office's acceptance with a
 * registered number (letter) — legally "sent"; DELIVERED: proof of receipt with its date; FAILED: non-acceptance,
 * non-delivery, virus, or a letter returned undelivered.
 */
export type NoticeStatus = 'SUBMITTED' | 'ACCEPTED' | 'DELIVERED' | 'FAILED';

/** The status a receipt moves its contact to, or null when it only adds evidence (taking charge, 12-hour warning). */
export function statusAfterReceipt(kind: PecReceiptKind | LetterReceiptKind): NoticeStatus | null {
  switch (kind) {
    case 'ACCEPTANCE':
    case 'POSTED':
      return 'ACCEPTED';
    case 'DELIVERY':
    case 'DELIVERED':
      return 'DELIVERED';
    case 'NON_ACCEPTANCE':
    case 'NON_DELIVERY':
    case 'VIRUS':
    case 'RETURNED':
      return 'FAILED';
    case 'TAKING_CHARGE':
    case 'DELIVERY_WARNING':
      return null;
  }
}

const RANK: Record<string, number> = { PENDING: 0, QUEUED: 0, SUBMITTED: 1, ACCEPTED: 2, FAILED: 3, DELIVERED: 4 };

/**
 * The contact's status after a receipt: receipts can arrive out of order (IMAP order is not issue order) and more
 * than once, so a status only moves forward. DELIVERED is final — a later non-delivery for the same recipient cannot
 * undo a delivery receipt the provider already signed; FAILED can still become DELIVERED (a letter first reported
 * returned and then found delivered is corrected by the later record).
 */
export function nextNoticeStatus(current: string, incoming: NoticeStatus | null): string {
  if (!incoming) return current;
  return (RANK[incoming] ?? 0) > (RANK[current] ?? 0) ? incoming : current;
}

/**
 * The last day of a term of `days` days running from receipt on `receivedOn` (ISO date, in the business time
 * zone): the day of receipt is not counted and a term ending on a Sunday or a public holiday moves to the next
 * working day (art. 2963 c.c., second and third paragraphs). Saturdays count: 2963 c.c. speaks of "giorno festivo".
 */
export function termEndDate(receivedOn: string, days: number, extraHolidays: readonly string[] = []): string {
  const [y, m, d] = receivedOn.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  for (;;) {
    const iso = t.toISOString().slice(0, 10);
    const festive =
      t.getUTCDay() === 0 ||
      italianHolidays(t.getUTCFullYear()).includes(iso) ||
      extraHolidays.includes(iso) ||
      extraHolidays.includes(iso.slice(5));
    if (!festive) return iso;
    t.setUTCDate(t.getUTCDate() + 1);
  }
}

/**
 * When the step after a formal notice (LEGAL) may fire: the end of the last day of the term counted from receipt,
 * in the business time zone, plus `bufferMs` so that a bank transfer ordered on the last day has time to arrive and
 * be reported by the ERP. `receivedAtMs` is the instant on the delivery proof.
 */
export function legalStepAfterReceiptMs(
  receivedAtMs: number,
  termDays: number,
  timeZone: string,
  bufferMs: number,
  extraHolidays: readonly string[] = [],
): number {
  const last = termEndDate(localDate(new Date(receivedAtMs), timeZone), termDays, extraHolidays);
  const [y, m, d] = last.split('-').map(Number) as [number, number, number];
  // The term runs to the end of its last day: the first minute of the next local day.
  const endOfTerm = zonedInstant(y, m, d + 1, 0, timeZone).getTime();
  return endOfTerm + bufferMs;
}

/**
 * Days the formal notice gives the debtor, counted from receipt ("entro 15 giorni dal ricevimento"): the term of the
 * formal-notice template (PAYMENT_TERM_DAYS in activities/channels/messages.ts says the same for the letter text).
 */
export const FORMAL_NOTICE_TERM_DAYS = 15;
/** Default of PolicySettings.noticeTermBuffer: a SEPA transfer ordered on the last day is credited by the next
 * business day (D.Lgs. 11/2010 art. 20), a weekend or a holiday may come between, and the ERP reports it a day later. */
export const DEFAULT_NOTICE_TERM_BUFFER = 'P5D';

/**
 * Default of PolicySettings.noticeReceiptMaxWait: how long the step after a formal notice waits for a proof of
 * receipt before going ahead without one (and saying so to the person who approves legal action). No statute sets
 * this wait; the figure covers the slowest proof there is. A PEC provider reports a message it could not deliver
 * within 24 hours (a warning after 12: the technical rules of DPR 68/2005, DM 2 November 2005), so a PEC notice
 * without any receipt after days points at a fault, not at the debtor. An uncollected raccomandata is held at the
 * post office for 30 days before it goes back to the sender ("compiuta giacenza"), so after 30 days either its
 * delivery date or its return is known. A policy may wait longer (a print service that reports late) or less
 * (PEC-only notices), never without a decision by a person: LEGAL still asks for approval when the policy says so.
 */
export const NOTICE_RECEIPT_MAX_WAIT = 'P30D';

/** Where a customer's PEC address came from (Customer.pecSource). */
export const PEC_SOURCES = ['ERP', 'INIPEC', 'MANUAL'] as const;
export type PecSource = (typeof PEC_SOURCES)[number];

export interface PecProvenance {
  pecSource: PecSource | null;
  pecVerifiedAt: Date | null;
  pecVerifiedBy: string | null;
}

/**
 * The provenance columns after the ERP sends `incoming` as the customer's PEC: the same address (case aside) keeps
 * what a person verified; a new address is the ERP's and unverified; no address, no provenance. Returns only the
 * columns that change, so an unchanged customer compares equal.
 */
export function pecProvenanceAfterErp(
  before: { pec: string | null; pecSource: string | null } | null,
  incoming: string | null,
): Partial<PecProvenance> {
  if (!incoming) return before?.pecSource ? { pecSource: null, pecVerifiedAt: null, pecVerifiedBy: null } : {};
  if (before?.pec && before.pec.toLowerCase() === incoming.toLowerCase() && before.pecSource) return {};
  return { pecSource: 'ERP', pecVerifiedAt: null, pecVerifiedBy: null };
}
