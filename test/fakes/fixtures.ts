/** Database fixtures for the channel tests: a customer with contacts and some overdue invoices, unique per call. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import { createLogger } from '../../infra/logger';

export const silentLog = createLogger('silent', 'test');

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-channels-'));
  const env: Record<string, string | undefined> = {
    DATABASE_URL: process.env.DATABASE_URL,
    SEGUGIO_DATA_DIR: dataDir,
    SEGUGIO_MODE: 'test',
    LETTERHEAD_NAME: 'Acciaierie Brambilla S.p.A.',
    LETTERHEAD_PHONE: '+39 030 1234567',
    ...overrides,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return loadConfig(env as NodeJS.ProcessEnv);
}

export interface Seeded {
  customerId: string;
  invoiceIds: string[];
  numbers: string[];
}

export async function seedCustomer(
  db: Db,
  opts: {
    language?: string;
    email?: string | null;
    phone?: string | null;
    pec?: string | null;
    consumer?: boolean;
  } = {},
): Promise<Seeded> {
  const tag = crypto.randomBytes(4).toString('hex');
  const customer = await db.customer.create({
    data: {
      externalId: `C-${tag}`,
      name: `Rossi Costruzioni ${tag} S.r.l.`,
      vatNumber: 'IT09876543210',
      email: opts.email === undefined ? `amministrazione+${tag}@rossi.example` : opts.email,
      phone: opts.phone === undefined ? '+393331234567' : opts.phone,
      pec: opts.pec === undefined ? null : opts.pec,
      addressLine: 'Via Garibaldi 45',
      city: 'Milano',
      postalCode: '20121',
      province: 'MI',
      language: opts.language ?? 'it',
      segment: 'standard',
      consumer: opts.consumer ?? false,
    },
  });
  const numbers = [`FT-${tag}-1`, `FT-${tag}-2`];
  const invoices = await Promise.all(
    numbers.map((n, i) =>
      db.invoice.create({
        data: {
          externalNumber: n,
          customerId: customer.id,
          currency: 'EUR',
          amountMinor: BigInt(i === 0 ? 1_220_000 : 480_050),
          balanceMinor: BigInt(i === 0 ? 1_220_000 : 230_050),
          issueDate: new Date(i === 0 ? '2025-05-02' : '2025-06-10'),
          dueDate: new Date(i === 0 ? '2025-06-30' : '2025-07-31'),
          segment: 'standard',
          workflowId: `invoice-test-${tag}-${i}`,
        },
      }),
    ),
  );
  return { customerId: customer.id, invoiceIds: invoices.map((i) => i.id), numbers };
}

/** Monday 15 September 2025, 12:00 in Rome: inside the contact window. */
export const WEEKDAY_NOON = new Date('2025-09-15T10:00:00Z');
/** Sunday 14 September 2025, 12:00 in Rome. */
export const SUNDAY_NOON = new Date('2025-09-14T10:00:00Z');
