/**
 * Known API keys for the dev stack, printed at start so a visitor can try the API at once. Outside dev mode the
 * server refuses to start while any of them is still valid.
 */
import type { Db } from '../../infra/db';
import { hashKey, type Role } from './auth';

export const DEV_KEYS: Array<{ key: string; role: Role; label: string; userId: string | null }> = [
  { key: 'sg_dev_erp', role: 'erp', label: 'dev ERP', userId: null },
  { key: 'sg_dev_collector_giulia', role: 'collector', label: 'dev collector Giulia', userId: 'u-giulia' },
  { key: 'sg_dev_collector_marco', role: 'collector', label: 'dev collector Marco', userId: 'u-marco' },
  { key: 'sg_dev_manager', role: 'manager', label: 'dev credit manager', userId: 'u-laura' },
  { key: 'sg_dev_admin', role: 'admin', label: 'dev admin', userId: 'u-admin' },
];

export async function assertKeysAllowed(db: Db, mode: string): Promise<void> {
  if (mode === 'dev' || mode === 'test') return;
  const live = await db.apiKey.count({ where: { hash: { in: DEV_KEYS.map((k) => hashKey(k.key)) }, revokedAt: null } });
  if (live > 0) {
    throw new Error(
      `${live} dev API key(s) are valid in this database; refusing to start in ${mode} mode. Revoke them with 'npm run segugio -- keys revoke-dev'.`,
    );
  }
}
