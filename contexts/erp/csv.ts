/**
 * CSV file exchange with an ERP that cannot call webhooks.
 * Out: one file per request, `<dir>/out/<idempotency key>.csv`, written atomically (temp file + rename) — the file
 * name is the idempotency key, so a retry rewrites the same file instead of adding a line twice.
 * In (watch folder): `<dir>/in/payments*.csv` and `<dir>/in/open-items*.csv`, comma or semicolon separated with a
 * header row; each file is parsed and moved to `<dir>/in/processed/` (or `<dir>/in/rejected/` with a .error note).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { safeName, writeFileAtomic } from '../../infra/files';
import type { ErpAdapter, ErpInvoiceStatus, ErpOpenItem, ErpPayment, ErpRequestBase } from './adapter';

const OUT_HEADER =
  'action,idempotency_key,customer_external_id,customer_id,invoice_number,invoice_id,stage,balance_minor,currency,reason,at';

const cell = (v: unknown): string => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF); the delimiter is sniffed from the header line. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const src = text.replace(/^\ufeff/, '');
  const firstLine = src.split(/\r?\n/, 1)[0] ?? '';
  const delim = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delim) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...data] = rows.filter((r) => r.some((f) => f.trim() !== ''));
  if (!header) return [];
  const keys = header.map((h) => h.trim().toLowerCase());
  return data.map((r) => Object.fromEntries(keys.map((k, i) => [k, (r[i] ?? '').trim()])));
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;
function int(v: string, field: string, line: number): number {
  if (!/^-?\d+$/.test(v)) throw new Error(`line ${line}: ${field} must be an integer in minor units, got "${v}"`);
  return Number(v);
}
function date(v: string, field: string, line: number): string {
  if (!ISO.test(v)) throw new Error(`line ${line}: ${field} must be an ISO date (YYYY-MM-DD), got "${v}"`);
  return v;
}
function text(v: string | undefined, field: string, line: number): string {
  if (!v) throw new Error(`line ${line}: ${field} is required`);
  return v;
}

export function parsePayments(csv: string): ErpPayment[] {
  return parseCsv(csv).map((r, i) => ({
    invoiceNumber: text(r.invoice_number, 'invoice_number', i + 2),
    reference: text(r.reference, 'reference', i + 2),
    amountMinor: int(r.amount_minor ?? '', 'amount_minor', i + 2),
    paidOn: date(r.paid_on ?? '', 'paid_on', i + 2),
  }));
}

export function parseOpenItems(csv: string): ErpOpenItem[] {
  return parseCsv(csv).map((r, i) => ({
    invoiceNumber: text(r.invoice_number, 'invoice_number', i + 2),
    customerExternalId: text(r.customer_external_id, 'customer_external_id', i + 2),
    currency: text(r.currency, 'currency', i + 2).toUpperCase(),
    amountMinor: int(r.amount_minor ?? '', 'amount_minor', i + 2),
    balanceMinor: int(r.balance_minor ?? '', 'balance_minor', i + 2),
    issueDate: date(r.issue_date ?? '', 'issue_date', i + 2),
    dueDate: date(r.due_date ?? '', 'due_date', i + 2),
  }));
}

async function consume<T>(dir: string, prefix: string, parse: (s: string) => T[]): Promise<T[]> {
  const inbox = path.join(dir, 'in');
  const names = await fs.readdir(inbox).catch(() => [] as string[]);
  const out: T[] = [];
  for (const name of names.filter((n) => n.startsWith(prefix) && n.toLowerCase().endsWith('.csv')).sort()) {
    const file = path.join(inbox, name);
    const content = await fs.readFile(file, 'utf8');
    try {
      const rows = parse(content);
      await fs.mkdir(path.join(inbox, 'processed'), { recursive: true });
      await fs.rename(file, path.join(inbox, 'processed', name));
      out.push(...rows);
    } catch (err) {
      await fs.mkdir(path.join(inbox, 'rejected'), { recursive: true });
      await fs.rename(file, path.join(inbox, 'rejected', name));
      await fs.writeFile(path.join(inbox, 'rejected', `${name}.error`), String((err as Error).message));
    }
  }
  return out;
}

export function createCsvErpAdapter(opts: { dir: string; now?: () => Date }): ErpAdapter {
  const now = opts.now ?? (() => new Date());
  const outFile = (key: string): string => path.join(opts.dir, 'out', `${safeName(key)}.csv`);
  async function write(action: string, r: ErpRequestBase, inv?: Partial<ErpInvoiceStatus>): Promise<void> {
    const line = [
      action,
      r.idempotencyKey,
      r.customer.externalId,
      r.customer.customerId,
      inv?.invoiceNumber,
      inv?.invoiceId,
      inv?.stage,
      inv?.balanceMinor,
      inv?.currency,
      r.reason,
      now().toISOString(),
    ]
      .map(cell)
      .join(',');
    await writeFileAtomic(outFile(r.idempotencyKey), `${OUT_HEADER}\n${line}\n`);
  }
  return {
    kind: 'csv',
    blockCustomer: (r) => write('BLOCK_CUSTOMER', r),
    unblockCustomer: (r) => write('UNBLOCK_CUSTOMER', r),
    postInvoiceStatus: (r) => write('INVOICE_STATUS', r, r),
    async hasRequest(key) {
      const candidates = [outFile(key), path.join(opts.dir, 'out', 'processed', `${safeName(key)}.csv`)];
      for (const c of candidates)
        if (
          await fs.stat(c).then(
            () => true,
            () => false,
          )
        )
          return true;
      return false;
    },
    fetchOpenItems: () => consume(opts.dir, 'open-items', parseOpenItems),
    fetchPayments: () => consume(opts.dir, 'payments', parsePayments),
  };
}

/** Polls the inbox and hands new payments and open items over; returns a stop function. */
export function watchCsvInbox(opts: {
  adapter: ErpAdapter;
  intervalMs?: number;
  onPayments: (p: ErpPayment[]) => Promise<void>;
  onOpenItems: (o: ErpOpenItem[]) => Promise<void>;
  onError: (err: unknown) => void;
}): () => void {
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const payments = await opts.adapter.fetchPayments();
      if (payments.length) await opts.onPayments(payments);
      const items = await opts.adapter.fetchOpenItems();
      if (items.length) await opts.onOpenItems(items);
    } catch (err) {
      opts.onError(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 10_000);
  timer.unref();
  return () => clearInterval(timer);
}
