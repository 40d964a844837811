/** Reading and writing versioned dunning policies. */
import type { DunningPolicy, PolicySettings, PolicyStep } from '../../workflows/contract';
import type { Db } from '../../infra/db';
import { DEFAULT_POLICIES } from '../../domain/policy';

type PolicyRow = { segment: string; version: number; name: string; steps: unknown; settings: unknown };

export const rowToPolicy = (row: PolicyRow): DunningPolicy => ({
  segment: row.segment,
  version: row.version,
  name: row.name,
  steps: row.steps as PolicyStep[],
  settings: row.settings as PolicySettings,
});

/** The newest version of a segment's policy; segments without one fall back to `standard`. */
export async function currentPolicy(db: Db, segment: string): Promise<DunningPolicy> {
  const row =
    (await db.dunningPolicy.findFirst({ where: { segment }, orderBy: { version: 'desc' } })) ??
    (await db.dunningPolicy.findFirst({ where: { segment: 'standard' }, orderBy: { version: 'desc' } }));
  if (row) return rowToPolicy(row);
  const fallback = DEFAULT_POLICIES.find((p) => p.segment === 'standard');
  if (!fallback) throw new Error('no standard policy');
  return fallback;
}

/** Makes sure every default segment has at least version 1. */
export async function ensureDefaultPolicies(db: Db): Promise<void> {
  for (const p of DEFAULT_POLICIES) {
    await db.dunningPolicy.upsert({
      where: { segment_version: { segment: p.segment, version: p.version } },
      create: {
        segment: p.segment,
        version: p.version,
        name: p.name,
        steps: p.steps as object[],
        settings: p.settings as object,
        createdBy: 'system',
      },
      update: {},
    });
  }
}
