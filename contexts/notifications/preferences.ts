/**
 * Who is told what, and what a user may turn off. A user without a NotificationPreference row has every
 * notification of their role on and the configured digest hour; the language is the user's own (User.language).
 */
import { z } from 'zod';
import type { Db } from '../../infra/db';
import { LANGUAGES, type Language } from '../../workflows/contract';
import { badRequest, notFound } from '../errors';

export const NOTIFICATION_KINDS = [
  'order-block',
  'order-release',
  'step-ahead',
  'promise-broken',
  'plan-broken',
  'digest',
  'approval',
  'approval-reminder',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The role of the users each kind goes to (a customer's salesperson, the collectors, the credit managers). */
export const KIND_AUDIENCE: Record<NotificationKind, 'salesperson' | 'collector' | 'manager'> = {
  'order-block': 'salesperson',
  'order-release': 'salesperson',
  'step-ahead': 'salesperson',
  'promise-broken': 'salesperson',
  'plan-broken': 'salesperson',
  digest: 'collector',
  approval: 'manager',
  'approval-reminder': 'manager',
};

/**
 * Kinds nobody can turn off, because the policy needs the person to act (no law requires Segugio to notify its own
 * staff; docs/notifications.md):
 * - `order-block`: the design card — a salesperson is told when a customer of theirs is blocked, so no order is
 *   promised that the ERP will refuse;
 * - `step-ahead`: a formal notice (art. 1219 c.c., it puts the debtor in default) or a legal step is about to go to
 *   the salesperson's customer; the policy gives them the lead time to act first;
 * - `approval`: a step the policy marks `requiresApproval` waits on a credit manager; without the notice it stalls.
 */
export const REQUIRED_KINDS: readonly NotificationKind[] = ['order-block', 'step-ahead', 'approval'];

/** Task kinds that wait for a credit manager's approval (other kinds go to the collectors' agenda). */
export const APPROVAL_TASK_KINDS = ['APPROVE_LEGAL', 'APPROVE_PLAN', 'APPROVE_PAUSE', 'APPROVE_WRITE_OFF'] as const;

export const preferencesBody = z
  .object({
    language: z.enum(LANGUAGES).optional(),
    /** Local hour of the daily digest (business time zone); null: back to the default. */
    digestHour: z.number().int().min(0).max(23).nullable().optional(),
    notifications: z
      .object(
        Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, z.boolean().optional()])) as {
          [K in NotificationKind]: z.ZodOptional<z.ZodBoolean>;
        },
      )
      .strict()
      .optional(),
  })
  .strict()
  // A PUT that changes nothing is a mistake of the caller's (and would still write an audit row).
  .refine((b) => Object.keys(b).length > 0, { message: 'send at least one of language, digestHour, notifications' });
export type PreferencesBody = z.infer<typeof preferencesBody>;

export interface PreferencesView {
  userId: string;
  role: string;
  language: Language;
  digestHour: number;
  /** True when digestHour is the configured default (the user chose none). */
  digestHourDefault: boolean;
  /** NOTIFY_DIGEST_HOUR, what `digestHour: null` returns to. */
  defaultDigestHour: number;
  timeZone: string;
  /** The kinds of the user's role, whether each is on, and whether it may be turned off. */
  notifications: Array<{ kind: NotificationKind; enabled: boolean; required: boolean }>;
}

export interface PreferenceDefaults {
  digestHour: number;
  timeZone: string;
}

/** The kinds a role receives (an admin sees every kind, as a stand-in for any role). */
export function kindsFor(role: string): NotificationKind[] {
  return NOTIFICATION_KINDS.filter((k) => role === 'admin' || KIND_AUDIENCE[k] === role);
}

const asLanguage = (l: string): Language => ((LANGUAGES as readonly string[]).includes(l) ? (l as Language) : 'it');

/** Whether `kind` goes to a user who turned off `disabled` (a required kind always does). */
export const wants = (disabled: readonly string[], kind: NotificationKind): boolean =>
  REQUIRED_KINDS.includes(kind) || !disabled.includes(kind);

export async function getPreferences(db: Db, userId: string, d: PreferenceDefaults): Promise<PreferencesView> {
  const user = await db.user.findUnique({ where: { id: userId }, include: { notificationPref: true } });
  if (!user) throw notFound('user');
  const disabled = user.notificationPref?.disabled ?? [];
  const hour = user.notificationPref?.digestHour ?? null;
  return {
    userId: user.id,
    role: user.role,
    language: asLanguage(user.language),
    digestHour: hour ?? d.digestHour,
    digestHourDefault: hour === null,
    defaultDigestHour: d.digestHour,
    timeZone: d.timeZone,
    notifications: kindsFor(user.role).map((kind) => ({
      kind,
      enabled: wants(disabled, kind),
      required: REQUIRED_KINDS.includes(kind),
    })),
  };
}

/**
 * Changes what the body names and nothing else. Turning a required kind off is refused (400, nothing written), so
 * the console can say why in the user's language.
 */
export async function putPreferences(
  db: Db,
  userId: string,
  body: PreferencesBody,
  d: PreferenceDefaults,
): Promise<{ before: PreferencesView; after: PreferencesView }> {
  const refused = Object.entries(body.notifications ?? {})
    .filter(([kind, on]) => on === false && REQUIRED_KINDS.includes(kind as NotificationKind))
    .map(([kind]) => ({
      path: `notifications.${kind}`,
      message: 'is required by the policy and cannot be turned off',
      code: 'required_notification',
      params: { kind },
    }));
  if (refused.length) throw badRequest('request is not valid', refused);
  const before = await getPreferences(db, userId, d);
  const current = await db.notificationPreference.findUnique({ where: { userId } });
  const disabled = new Set(current?.disabled ?? []);
  for (const [kind, on] of Object.entries(body.notifications ?? {})) {
    if (on === true) disabled.delete(kind);
    else if (on === false) disabled.add(kind);
  }
  const digestHour = body.digestHour === undefined ? (current?.digestHour ?? null) : body.digestHour;
  await db.$transaction([
    db.notificationPreference.upsert({
      where: { userId },
      create: { userId, disabled: [...disabled].sort(), digestHour },
      update: { disabled: [...disabled].sort(), digestHour },
    }),
    ...(body.language ? [db.user.update({ where: { id: userId }, data: { language: body.language } })] : []),
  ]);
  return { before, after: await getPreferences(db, userId, d) };
}
