/**
 * Recording a proof about a notice — a PEC receipt or a raccomandata event — on its contact, once however often it
 * arrives, and telling the invoice workflows the contact covered. Shared by the PEC receipt reader (activities), the
 * raccomandata API and the mailing provider's CSV.
 *
 * Order of effects: the receipt row, the contact's new status, a collector's task when the notice failed and (for the
 * reader) the IMAP cursor are written in one transaction; the workflows are signalled afterwards and the receipt is
 * marked `signalledAt`. A crash between the two leaves an unsignalled receipt that the next run signals
 * (`signalPendingReceipts`); the workflow ignores a receipt id it has already seen.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import {
  nextNoticeStatus,
  statusAfterReceipt,
  type LetterReceiptKind,
  type PecReceiptKind,
} from '../../domain/notices';
import {
  invoiceWorkflowId,
  isTerminal,
  noticeReceiptSignal,
  type NoticeReceiptEvent,
  type Stage,
} from '../../workflows/contract';

type Tx = Prisma.TransactionClient;

export interface ReceiptInput {
  contactEventId: string;
  channel: 'PEC' | 'LETTER';
  kind: PecReceiptKind | LetterReceiptKind;
  dedupeKey: string;
  occurredAt: Date;
  recipient?: string | null;
  issuer?: string | null;
  reference?: string | null;
  detail?: string | null;
  evidence?: { path: string; sha256: string; sizeBytes: number } | null;
  imap?: { mailbox: string; uidValidity: bigint; uid: bigint } | null;
  actorId?: string | null;
  /**
   * Why the receipt cannot be trusted (its provider signature is missing or does not verify, see pec-signature.ts):
   * it is kept as evidence, moves no status, tells no workflow, and a CHECK_PEC_RECEIPT task asks a person to look.
   */
  untrusted?: string | null;
}

export interface ReceiptOutcome {
  receiptId: string;
  duplicate: boolean;
  /** The contact's status before and after. */
  before: string;
  after: string;
  /** The collector task opened because the notice failed, or because the receipt could not be trusted. */
  taskId: string | null;
}

/** Why a failed notice needs a person, in the words of the task note. */
function failureNote(channel: 'PEC' | 'LETTER', kind: string, detail: string | null | undefined): string {
  const what =
    channel === 'PEC'
      ? kind === 'NON_ACCEPTANCE'
        ? 'PEC not accepted by our provider'
        : kind === 'VIRUS'
          ? 'PEC stopped by the provider (virus detected)'
          : 'PEC not delivered (mancata consegna)'
      : 'registered letter returned undelivered';
  return `${what}${detail ? `: ${detail}` : ''}. Check the address (INI-PEC for a PEC) and send the notice again.`;
}

/**
 * Records one receipt inside `tx` (the caller's transaction, so that the IMAP cursor moves with it). A receipt whose
 * dedupe key is known changes nothing and says `duplicate`.
 */
export async function recordReceiptTx(tx: Tx, input: ReceiptInput, now = new Date()): Promise<ReceiptOutcome> {
  const contact = await tx.contactEvent.findUniqueOrThrow({ where: { id: input.contactEventId } });
  const known = await tx.noticeReceipt.findUnique({ where: { dedupeKey: input.dedupeKey } });
  if (known)
    return { receiptId: known.id, duplicate: true, before: contact.status, after: contact.status, taskId: null };
  const incoming = input.untrusted ? null : statusAfterReceipt(input.kind);
  const after = nextNoticeStatus(contact.status, incoming);
  const receipt = await tx.noticeReceipt.create({
    data: {
      contactEventId: contact.id,
      channel: input.channel,
      kind: input.kind,
      dedupeKey: input.dedupeKey,
      occurredAt: input.occurredAt,
      recipient: input.recipient ?? null,
      issuer: input.issuer ?? null,
      reference: input.reference ?? null,
      detail: input.untrusted
        ? `SIGNATURE_NOT_VERIFIED: ${input.untrusted}${input.detail ? ` (${input.detail})` : ''}`
        : (input.detail ?? null),
      path: input.evidence?.path ?? null,
      sha256: input.evidence?.sha256 ?? null,
      sizeBytes: input.evidence?.sizeBytes ?? null,
      mailbox: input.imap?.mailbox ?? null,
      uidValidity: input.imap?.uidValidity ?? null,
      uid: input.imap?.uid ?? null,
      actorId: input.actorId ?? null,
      // A receipt that moves nothing (taking charge, a 12-hour warning) has nothing to tell the workflows.
      signalledAt: after === contact.status ? now : null,
    },
  });
  await tx.contactEvent.update({
    where: { id: contact.id },
    data: {
      status: after,
      ...(after === 'DELIVERED' && contact.status !== 'DELIVERED' ? { deliveredAt: input.occurredAt } : {}),
      ...(input.channel === 'LETTER' && input.reference ? { registeredNumber: input.reference } : {}),
      ...(after !== contact.status ? { outcome: `${input.channel}_${input.kind}` } : {}),
    },
  });
  let taskId: string | null = null;
  if (input.untrusted) {
    const customer = await tx.customer.findUniqueOrThrow({ where: { id: contact.customerId } });
    const task = await tx.task.upsert({
      where: { idempotencyKey: `pec-receipt-unverified:${receipt.id}` },
      create: {
        idempotencyKey: `pec-receipt-unverified:${receipt.id}`,
        kind: 'CHECK_PEC_RECEIPT',
        customerId: contact.customerId,
        ...(contact.invoiceId ? { invoiceId: contact.invoiceId } : {}),
        assigneeId: customer.collectorId,
        dueAt: new Date(now.getTime() + 86_400_000),
        note:
          `A PEC receipt (${input.kind}) whose provider signature could not be verified: ${input.untrusted}. ` +
          'It proves nothing until checked: download it from the invoice page and ask the PEC provider; the notice ' +
          'keeps its status.',
      },
      update: {},
    });
    return { receiptId: receipt.id, duplicate: false, before: contact.status, after, taskId: task.id };
  }
  if (after === 'FAILED' && contact.status !== 'FAILED') {
    const customer = await tx.customer.findUniqueOrThrow({ where: { id: contact.customerId } });
    const invoices = await tx.invoice.findMany({
      where: { id: { in: [...new Set([...(contact.invoiceId ? [contact.invoiceId] : []), ...contact.invoiceIds])] } },
      select: { externalNumber: true },
    });
    // Not tied to one invoice: the notice may cover several, and the person's work (fix the address, send again)
    // is the customer's; the invoices' numbers are in the note.
    const task = await tx.task.upsert({
      where: { idempotencyKey: `notice-failed:${contact.id}` },
      create: {
        idempotencyKey: `notice-failed:${contact.id}`,
        kind: 'FIX_CONTACT',
        customerId: contact.customerId,
        assigneeId: customer.collectorId,
        dueAt: new Date(now.getTime() + 86_400_000),
        note: `${failureNote(input.channel, input.kind, input.detail)} Invoices: ${invoices.map((i) => i.externalNumber).join(', ')}.`,
      },
      update: {},
    });
    taskId = task.id;
  }
  return { receiptId: receipt.id, duplicate: false, before: contact.status, after, taskId };
}

export async function recordReceipt(db: Db, input: ReceiptInput, now = new Date()): Promise<ReceiptOutcome> {
  return db.$transaction((tx) => recordReceiptTx(tx, input, now));
}

/**
 * Signals every open invoice workflow of the contacts behind receipts not yet signalled, then marks them. Returns
 * how many receipts were passed on. A closed or missing workflow is not an error: the contact log keeps the receipt.
 */
export async function signalPendingReceipts(db: Db, temporal: Client, onEach?: () => void): Promise<number> {
  const pending = await db.noticeReceipt.findMany({
    where: { signalledAt: null },
    orderBy: { createdAt: 'asc' },
    take: 500,
    include: { contactEvent: true },
  });
  for (const r of pending) {
    const c = r.contactEvent;
    const ids = [...new Set([...(c.invoiceId ? [c.invoiceId] : []), ...c.invoiceIds])];
    const invoices = await db.invoice.findMany({ where: { id: { in: ids } } });
    const event: NoticeReceiptEvent = {
      receiptId: r.id,
      contactEventId: c.id,
      channel: r.channel as 'PEC' | 'LETTER',
      status: nextNoticeStatus(
        'SUBMITTED',
        statusAfterReceipt(r.kind as PecReceiptKind),
      ) as NoticeReceiptEvent['status'],
      kind: r.kind,
      stage: (c.stage as Stage | null) ?? null,
      at: r.occurredAt.toISOString(),
    };
    for (const inv of invoices) {
      if (isTerminal(inv.stage as Stage)) continue;
      try {
        await temporal.workflow
          .getHandle(inv.workflowId ?? invoiceWorkflowId(inv.id))
          .signal(noticeReceiptSignal, event);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    await db.noticeReceipt.update({ where: { id: r.id }, data: { signalledAt: new Date() } });
    onEach?.();
  }
  return pending.length;
}
