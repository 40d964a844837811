/**
 * Demo data for the dev stack: users, dev API keys, the default policies, and customers in two segments with
 * invoices at several stages — some on the seconds-scale `demo` policy so a visitor sees stages move live.
 * Idempotent: running it again changes nothing.
 */
import type { Client } from '@temporalio/client';
import { DEV_KEYS, DEV_USERS } from '../contexts/access/dev-keys';
import { hashPassword } from '../contexts/access/passwords';
import { hashKey } from '../contexts/access/auth';
import { systemActor } from '../contexts/access/audit';
import { createInvoice } from '../contexts/intake/invoices';
import type { CreateInvoice } from '../contexts/schemas';
import type { Db } from '../infra/db';
import { ensureDefaultPolicies } from '../contexts/policies/store';

const USERS = [
  { id: 'u-giulia', name: 'Giulia Rossi', email: 'giulia.rossi@segugio.example', role: 'collector' },
  { id: 'u-marco', name: 'Marco Bianchi', email: 'marco.bianchi@segugio.example', role: 'collector' },
  { id: 'u-laura', name: 'Laura Conti', email: 'laura.conti@segugio.example', role: 'manager' },
  { id: 'u-paolo', name: 'Paolo Greco', email: 'paolo.greco@segugio.example', role: 'salesperson' },
  { id: 'u-admin', name: 'Amministratore', email: 'admin@segugio.example', role: 'admin' },
];

/** Users (with their published dev passwords), dev keys and default policies. */
export async function seedBase(db: Db): Promise<void> {
  for (const u of USERS) await db.user.upsert({ where: { id: u.id }, create: u, update: {} });
  // Only where no password is set: a dev user who set their own (or was reset) keeps it.
  for (const d of DEV_USERS) {
    const u = await db.user.findUnique({ where: { id: d.id } });
    if (u && !u.passwordHash && !u.disabledAt)
      await db.user.update({ where: { id: d.id }, data: { passwordHash: await hashPassword(d.password) } });
  }
  for (const k of DEV_KEYS) {
    const hash = hashKey(k.key);
    await db.apiKey.upsert({
      where: { hash },
      create: { id: `key_${k.key}`, label: k.label, prefix: k.key.slice(0, 7), hash, role: k.role, userId: k.userId },
      update: { revokedAt: null },
    });
  }
  await ensureDefaultPolicies(db);
}

const isoDaysFromToday = (days: number): string => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

type DemoCustomer = CreateInvoice['customer'];

const CUSTOMERS: DemoCustomer[] = [
  {
    externalId: 'C-1001',
    name: 'Officine Meccaniche Brianza S.r.l.',
    vatNumber: 'IT01234560969',
    email: 'amministrazione@omb.example',
    phone: '+390392345678',
    pec: 'omb@pec.example',
    address: { line: 'Via Milano 12', city: 'Monza', postalCode: '20900', province: 'MB', country: 'IT' },
    language: 'it',
    segment: 'standard',
    area: 'Nord',
    consumer: false,
    creditLimitMinor: 5_000_000,
    collectorId: 'u-giulia',
    salespersonId: 'u-paolo',
  },
  {
    externalId: 'C-1002',
    name: 'Tessiture Lariane S.p.A.',
    vatNumber: 'IT09876540132',
    email: 'contabilita@tessiture.example',
    phone: '+39031555123',
    address: { line: 'Viale Varese 80', city: 'Como', postalCode: '22100', province: 'CO', country: 'IT' },
    language: 'it',
    segment: 'standard',
    area: 'Nord',
    consumer: false,
    creditLimitMinor: 8_000_000,
    collectorId: 'u-giulia',
    salespersonId: 'u-paolo',
  },
  {
    externalId: 'C-2001',
    name: 'Logistique Provence SARL',
    vatNumber: 'FR40123456789',
    email: 'compta@logprovence.example',
    phone: '+33491555000',
    address: { line: '14 Rue de la République', city: 'Marseille', postalCode: '13002', country: 'FR' },
    language: 'fr',
    segment: 'standard',
    area: 'Estero',
    consumer: false,
    creditLimitMinor: 3_000_000,
    collectorId: 'u-marco',
  },
  {
    externalId: 'C-3001',
    name: 'Caseificio Vesuvio S.n.c.',
    vatNumber: 'IT04567890121',
    email: 'info@caseificio-vesuvio.example',
    phone: '+390815556677',
    address: { line: 'Corso Umberto I 45', city: 'Napoli', postalCode: '80138', province: 'NA', country: 'IT' },
    language: 'it',
    segment: 'demo',
    area: 'Sud',
    consumer: false,
    creditLimitMinor: 2_000_000,
    collectorId: 'u-marco',
  },
  {
    externalId: 'C-3002',
    name: 'Green Energy Partners Ltd',
    vatNumber: 'GB123456789',
    email: 'accounts@gep.example',
    phone: '+442071234567',
    address: { line: '10 King Street', city: 'London', postalCode: 'EC2V 8EA', country: 'GB' },
    language: 'en',
    segment: 'demo',
    area: 'Estero',
    consumer: false,
    collectorId: 'u-giulia',
  },
];

/** Invoices: not yet due, just overdue, long overdue (day-scale policy), and live demo ones (seconds-scale). */
const INVOICES: Array<{ number: string; customer: string; amountMinor: number; issued: number; due: number }> = [
  { number: 'FT-2026-0101', customer: 'C-1001', amountMinor: 1_220_000, issued: -20, due: 10 },
  { number: 'FT-2026-0102', customer: 'C-1001', amountMinor: 458_050, issued: -45, due: -2 },
  { number: 'FT-2026-0103', customer: 'C-1002', amountMinor: 2_684_000, issued: -70, due: -16 },
  { number: 'FT-2026-0104', customer: 'C-1002', amountMinor: 96_400, issued: -40, due: 3 },
  { number: 'FT-2026-0105', customer: 'C-2001', amountMinor: 1_530_000, issued: -50, due: -5 },
  { number: 'DEMO-0001', customer: 'C-3001', amountMinor: 345_600, issued: -31, due: -1 },
  { number: 'DEMO-0002', customer: 'C-3001', amountMinor: 1_210_000, issued: -31, due: -1 },
  { number: 'DEMO-0003', customer: 'C-3002', amountMinor: 780_000, issued: -31, due: -1 },
];

/**
 * Starts the demo invoices' workflows (once: invoice numbers are idempotent); `extraHolidays` is the stack's
 * SEGUGIO_EXTRA_HOLIDAYS.
 */
export async function seedDemoInvoices(
  db: Db,
  temporal: Client,
  taskQueue: string,
  timeZone: string,
  extraHolidays: readonly string[] = [],
): Promise<number> {
  let created = 0;
  for (const inv of INVOICES) {
    const customer = CUSTOMERS.find((c) => c.externalId === inv.customer);
    if (!customer) continue;
    const res = await createInvoice(
      { db, temporal, taskQueue, timeZone, extraHolidays },
      {
        number: inv.number,
        customer,
        currency: 'EUR',
        amountMinor: inv.amountMinor,
        issueDate: isoDaysFromToday(inv.issued),
        dueDate: isoDaysFromToday(inv.due),
      },
      systemActor('seed'),
    );
    if (res.created) created += 1;
  }
  return created;
}
