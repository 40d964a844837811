/**
 * pollPecReceipts: reads the receipts the PEC provider wrote into the company's PEC mailbox since the last run,
 * stores each (.eml with its daticert.xml) as evidence with its SHA-256, moves its contact to ACCEPTED / DELIVERED /
 * FAILED and tells the invoice workflows. Run by the `pecReceiptsWorkflow` of a Temporal Schedule.
 *
 * Crash safety: the IMAP cursor (UIDVALIDITY + last UID, in PostgreSQL) advances in the same transaction as the
 * receipt of that UID, so a worker killed mid-run resumes at the first unprocessed message; a receipt the provider
 * wrote twice, or one re-read after a UIDVALIDITY change, is recognised by its dedupe key and counted once. The
 * evidence file is named by its checksum, so writing it again is harmless.
 *
 * Trust: a receipt counts only when its provider's S/MIME signature verifies against PEC_RECEIPT_CA_FILE and the
 * daticert read is the signed one (contexts/notices/pec-signature.ts). Otherwise it is stored as evidence under a key
 * of its own (a forged copy must not shadow the genuine receipt), moves nothing, and a person gets a task.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import type { Logger } from '../../infra/logger';
import { simpleParser } from 'mailparser';
import { parsePecReceipt, receiptDedupeKey, type PecReceipt } from '../../contexts/notices/pec-receipt';
import { verifyPecSignature } from '../../contexts/notices/pec-signature';
import { recordReceiptTx, signalPendingReceipts } from '../../contexts/notices/service';
import { writeFileAtomic } from '../../infra/files';
import { createPecGateway, pecSettings, type PecGateway } from './providers/pec';

export interface PecReceiptsResult {
  /** Messages read from the mailbox in this run. */
  read: number;
  /** New receipts recorded. */
  recorded: number;
  /** Receipts already known (the same receipt written twice). */
  duplicates: number;
  /** Messages that are not receipts of ours (no matching contact, or not a receipt). */
  ignored: number;
  /** Receipts of ours whose provider signature did not verify: evidence and a task, no status change. */
  untrusted: number;
  /** Receipts passed on to invoice workflows. */
  signalled: number;
}

export interface PecReceiptActivities {
  /** Passes on receipts not yet signalled, then reads the PEC mailbox's new receipts (when one is configured). */
  pollPecReceipts(): Promise<PecReceiptsResult>;
}

const heartbeat = (details: unknown): void => {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Called outside an activity (a test, the CLI): nobody to tell.
  }
};

export function createPecReceiptActivities(deps: {
  db: Db;
  config: Config;
  log: Logger;
  temporal: Client;
  pec?: PecGateway | null;
}): PecReceiptActivities {
  const { db, config, log, temporal } = deps;
  const settings = pecSettings(config);
  const pec = deps.pec !== undefined ? deps.pec : settings ? createPecGateway(settings) : null;
  const cursorKey = settings ? `${settings.user}@${settings.imap.host}/${settings.imap.mailbox}` : '';

  /** Why a receipt of ours cannot be trusted, or null when its signature verifies and covers its daticert. */
  async function distrust(raw: Buffer, receipt: PecReceipt): Promise<string | null> {
    if (!config.PEC_RECEIPT_CA_FILE) return 'no trusted CA is configured (PEC_RECEIPT_CA_FILE)';
    const check = await verifyPecSignature(raw, { caFile: config.PEC_RECEIPT_CA_FILE });
    if (check.status !== 'VALID')
      return `${check.status === 'UNSIGNED' ? 'unsigned' : 'invalid signature'}: ${check.reason}`;
    // The status comes from the daticert: it must be the one the provider signed, not one added beside it.
    const signed = await simpleParser(check.content, { skipHtmlToText: true, skipTextToHtml: true });
    const inside = signed.attachments.find((a) => (a.filename ?? '').toLowerCase() === 'daticert.xml');
    if (!inside || !receipt.daticert || !inside.content.equals(receipt.daticert))
      return 'the daticert.xml read is not the one the provider signed';
    return null;
  }

  async function storeEvidence(raw: Buffer, contactEventId: string): Promise<{ path: string; sha256: string }> {
    const sha256 = crypto.createHash('sha256').update(raw).digest('hex');
    const rel = path.join('receipts', contactEventId, `${sha256}.eml`);
    await writeFileAtomic(path.join(config.SEGUGIO_DATA_DIR, rel), raw);
    return { path: rel, sha256 };
  }

  return {
    async pollPecReceipts(): Promise<PecReceiptsResult> {
      const out: PecReceiptsResult = { read: 0, recorded: 0, duplicates: 0, ignored: 0, untrusted: 0, signalled: 0 };
      // Receipts recorded by a run (or a raccomandata API call) that died before signalling go first, PEC or not.
      out.signalled += await signalPendingReceipts(db, temporal, () => heartbeat(out));
      if (!pec || !settings) return out;
      const client = await pec.openMailbox();
      try {
        const lock = await client.getMailboxLock(settings.imap.mailbox);
        try {
          const box = client.mailbox;
          if (!box) throw new Error(`PEC mailbox ${settings.imap.mailbox} is not open`);
          const uidValidity = BigInt(box.uidValidity);
          let cursor = await db.imapCursor.findUnique({ where: { mailbox: cursorKey } });
          if (!cursor || cursor.uidValidity !== uidValidity) {
            // A new UIDVALIDITY renumbers the mailbox: read it again from the start; dedupe keys skip known receipts.
            if (cursor) log.warn({ mailbox: cursorKey }, 'PEC mailbox UIDVALIDITY changed: rereading it');
            cursor = await db.imapCursor.upsert({
              where: { mailbox: cursorKey },
              create: { mailbox: cursorKey, uidValidity, lastUid: 0n },
              update: { uidValidity, lastUid: 0n },
            });
          }
          const from = cursor.lastUid + 1n;
          const found = await client.search({ uid: `${from}:*` }, { uid: true });
          // "n:*" always includes the highest UID, even below n: keep only the new ones, in order.
          const uids = (Array.isArray(found) ? found : [])
            .map((u) => BigInt(u))
            .filter((u) => u >= from)
            .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          for (const uid of uids) {
            const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
            const raw = msg && msg.source ? Buffer.from(msg.source) : null;
            out.read++;
            const receipt = raw ? await parsePecReceipt(raw).catch(() => null) : null;
            const contact = receipt
              ? await db.contactEvent.findFirst({
                  where: { providerMessageId: receipt.refMessageId, channel: 'PEC' },
                })
              : null;
            const evidence = raw && contact ? await storeEvidence(raw, contact.id) : null;
            const untrusted = raw && receipt && contact ? await distrust(raw, receipt) : null;
            const result = await db.$transaction(async (tx) => {
              const r =
                receipt && contact && raw && evidence
                  ? await recordReceiptTx(tx, {
                      contactEventId: contact.id,
                      channel: 'PEC',
                      kind: receipt.kind,
                      dedupeKey: untrusted ? `pec-untrusted:${evidence.sha256}` : receiptDedupeKey(receipt),
                      untrusted,
                      occurredAt: new Date(receipt.at),
                      recipient: receipt.recipient,
                      issuer: receipt.issuer,
                      reference: receipt.identificativo,
                      detail: receipt.error,
                      evidence: { ...evidence, sizeBytes: raw.length },
                      imap: { mailbox: cursorKey, uidValidity, uid },
                    })
                  : null;
              await tx.imapCursor.update({ where: { mailbox: cursorKey }, data: { lastUid: uid } });
              return r;
            });
            if (!result) out.ignored++;
            else if (result.duplicate) out.duplicates++;
            else if (untrusted) {
              out.untrusted++;
              log.warn({ contactEventId: contact?.id, uid: String(uid), why: untrusted }, 'PEC receipt not trusted');
            } else out.recorded++;
            heartbeat(out);
          }
        } finally {
          lock.release();
        }
      } finally {
        await client.logout().catch(() => undefined);
      }
      out.signalled += await signalPendingReceipts(db, temporal, () => heartbeat(out));
      if (out.read > 0) log.info({ mailbox: cursorKey, ...out }, 'PEC receipts read');
      return out;
    },
  };
}
