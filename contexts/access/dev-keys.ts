/**
 * Known API keys and passwords for the dev stack, printed at start and in the README so a visitor can try the API
 * and the console at once. Outside dev mode the server refuses to start while any of them is still valid, and
 * refuses them at sign-in whatever the database says.
 */
import type { Db } from '../../infra/db';
import { hashKey, type Role } from './auth';
import { verifyPassword } from './passwords';

export const DEV_KEYS: Array<{ key: string; role: Role; label: string; userId: string | null }> = [
  { key: 'sg_dev_erp', role: 'erp', label: 'dev ERP', userId: null },
  { key: 'sg_dev_collector_giulia', role: 'collector', label: 'dev collector Giulia', userId: 'u-giulia' },
  { key: 'sg_dev_collector_marco', role: 'collector', label: 'dev collector Marco', userId: 'u-marco' },
  { key: 'sg_dev_manager', role: 'manager', label: 'dev credit manager', userId: 'u-laura' },
  { key: 'sg_dev_admin', role: 'admin', label: 'dev admin', userId: 'u-admin' },
  { key: 'sg_dev_sales_paolo', role: 'salesperson', label: 'dev salesperson Paolo', userId: 'u-paolo' },
];

/** The dev users' console passwords (`npm run dev` seeds them; README lists them). */
export const DEV_USERS: Array<{ id: string; email: string; password: string }> = [
  { id: 'u-giulia', email: 'giulia.rossi@segugio.example', password: 'dev-giulia-password' },
  { id: 'u-marco', email: 'marco.bianchi@segugio.example', password: 'dev-marco-password' },
  { id: 'u-laura', email: 'laura.conti@segugio.example', password: 'dev-laura-password' },
  { id: 'u-paolo', email: 'paolo.greco@segugio.example', password: 'dev-paolo-password' },
  { id: 'u-admin', email: 'admin@segugio.example', password: 'dev-admin-password' },
];

/** True for a published dev e-mail and password pair. */
export const isDevCredential = (email: string, password: string): boolean =>
  DEV_USERS.some((u) => u.email === email.toLowerCase() && u.password === password);

/** The dev user behind a dev key, to sign in as that person (tests drive the console with the keys' names). */
export function devUserOfKey(key: string): { email: string; password: string } | undefined {
  const userId = DEV_KEYS.find((k) => k.key === key)?.userId;
  return DEV_USERS.find((u) => u.id === userId);
}

export async function assertKeysAllowed(db: Db, mode: string): Promise<void> {
  if (mode === 'dev' || mode === 'test') return;
  const live = await db.apiKey.count({ where: { hash: { in: DEV_KEYS.map((k) => hashKey(k.key)) }, revokedAt: null } });
  if (live > 0) {
    throw new Error(
      `${live} dev API key(s) are valid in this database; refusing to start in ${mode} mode. Revoke them with 'npm run segugio -- keys revoke-dev'.`,
    );
  }
  const devPasswords = await devPasswordsSet(db);
  if (devPasswords.length > 0) {
    throw new Error(
      `${devPasswords.length} user(s) still have their published dev password (${devPasswords.join(', ')}); refusing to start in ${mode} mode. Clear them with 'npm run segugio -- keys revoke-dev'.`,
    );
  }
}

/** E-mail addresses of the dev users whose stored password is still the published one. */
export async function devPasswordsSet(db: Db): Promise<string[]> {
  const rows = await db.user.findMany({
    where: { email: { in: DEV_USERS.map((u) => u.email) }, passwordHash: { not: null } },
  });
  const still: string[] = [];
  for (const r of rows) {
    const dev = DEV_USERS.find((u) => u.email === r.email);
    if (dev && r.passwordHash && (await verifyPassword(r.passwordHash, dev.password))) still.push(dev.email);
  }
  return still;
}
