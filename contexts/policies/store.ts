/** Reading and writing versioned dunning policies. */
import type { DunningPolicy, PolicySettings, PolicyStep } from '../../workflows/contract';
import type { Db } from '../../infra/db';
import { DEFAULT_POLICIES, DEFAULT_POLICY_SETTINGS } from '../../domain/policy';

/** What reading a policy needs: the client itself or an open transaction (the intake reads it inside its own). */
export type PolicyReader = Pick<Db, 'dunningPolicy'>;

type PolicyRow = { segment: string; version: number; name: string; steps: unknown; settings: unknown };

/**
 * A stored policy row as the workflows read it. `PUT /v1/policies` stores every required setting; a row written by
 * hand or by an older tool may lack one (a `contactBudget`, say), and a workflow handed such a policy fails its task
 * on every retry. The standard defaults fill what a row lacks; what it holds is never changed.
 */
export const rowToPolicy = (row: PolicyRow): DunningPolicy => ({
  segment: row.segment,
  version: row.version,
  name: row.name,
  steps: row.steps as PolicyStep[],
  settings: { ...DEFAULT_POLICY_SETTINGS, ...(row.settings as Partial<PolicySettings>) } as PolicySettings,
});

/** The newest version of a segment's policy; segments without one fall back to `standard`. */
export async function currentPolicy(db: PolicyReader, segment: string): Promise<DunningPolicy> {
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
