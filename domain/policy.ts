/**
 * Dunning-policy validation (zod) and the policies Segugio ships with. A policy is versioned per segment; the
 * newest version is current. Offsets are ISO-8601 durations (see PolicyStep in workflows/contract.ts).
 */
import { z } from 'zod';
import {
  CHANNELS,
  ENTRY_STAGES,
  ENTRY_TRIAGE,
  GRADES,
  POLICY_STAGES,
  STATEMENT_TEMPLATE,
  type DunningPolicy,
} from '../workflows/contract';

const ISO_DURATION = /^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
export const isoDuration = z.string().regex(ISO_DURATION, 'must be an ISO-8601 duration such as P7D or PT30S');
const positiveDuration = isoDuration.refine((d) => !d.startsWith('-'), 'must not be negative');

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A policy key: a segment name or a track such as `standard-strict`. */
export const policyKey = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    'must be a policy key: a lower-case slug (letters, digits, - and _; at most 64)',
  );

export const policyStepSchema = z
  .object({
    stage: z.enum(POLICY_STAGES),
    offset: isoDuration,
    channels: z.array(z.enum(CHANNELS)).min(1),
    template: z.string().min(1).max(64),
    minBalanceMinor: z.number().int().nonnegative().optional(),
    requiresApproval: z.boolean().optional(),
    attachLetter: z.boolean().optional(),
  })
  // A misspelt `requiresAproval` must be a 400, not a legal step that opens unapproved.
  .strict();

export const policySettingsSchema = z
  .object({
    promiseGrace: positiveDuration,
    promiseMaxHorizon: positiveDuration,
    planGrace: positiveDuration,
    planMaxInstalments: z.number().int().min(1).max(120),
    callOutcomeDeadline: positiveDuration,
    contactBudget: z.object({ max: z.number().int().min(1).max(100), window: positiveDuration }).strict(),
    consolidationWindow: positiveDuration,
    timezone: z.string().refine(validTimeZone, 'must be an IANA time zone such as Europe/Rome'),
    ratingRoutes: z
      .object(Object.fromEntries(GRADES.map((g) => [g, policyKey.optional()])))
      .strict()
      .optional(),
    noticeTermBuffer: positiveDuration.optional(),
    saturdayIsHoliday: z.boolean().optional(),
    paymentAllocation: z.enum(['capital-first', 'interest-first', 'costs-interest-first']).optional(),
    diffidaAdAdempiere: z.boolean().optional(),
    noticeReceiptMaxWait: positiveDuration.optional(),
    paidClaimPause: positiveDuration.optional(),
    interestWaiver: z
      .object({ interest: z.boolean().optional(), compensation: z.boolean().optional() })
      .strict()
      .optional(),
    // Where an invoice already overdue at intake enters the cadence (docs/workflow.md, "Entering the cadence late").
    entryBands: z
      .array(
        z
          .object({
            minDaysOverdue: z.number().int().min(1).max(3650),
            enterAt: z.enum([...ENTRY_STAGES, ENTRY_TRIAGE]),
            consumers: z.boolean().optional(),
          })
          .strict(),
      )
      .max(10)
      .optional(),
  })
  .strict();

export const policyBodySchema = z
  .object({
    name: z.string().min(1).max(200),
    steps: z.array(policyStepSchema).min(1).max(30),
    settings: policySettingsSchema,
  })
  .strict()
  .superRefine((p, ctx) => {
    // Entry bands in increasing order of age, each naming a stage the policy has (a band entering at a stage the
    // policy lacks would silently start invoices at the first step).
    (p.settings.entryBands ?? []).forEach((b, i, bands) => {
      if (i > 0 && b.minDaysOverdue <= bands[i - 1].minDaysOverdue) {
        ctx.addIssue({
          code: 'custom',
          path: ['settings', 'entryBands', i, 'minDaysOverdue'],
          message: `must be greater than the previous band's ${bands[i - 1].minDaysOverdue} days`,
          params: { code: 'band_not_increasing', previous: bands[i - 1].minDaysOverdue },
        });
      }
      if (b.enterAt !== ENTRY_TRIAGE && !p.steps.some((s) => s.stage === b.enterAt)) {
        ctx.addIssue({
          code: 'custom',
          path: ['settings', 'entryBands', i, 'enterAt'],
          message: `the policy has no ${b.enterAt} step`,
          params: { code: 'band_stage_missing', stage: b.enterAt },
        });
      }
    });
    p.steps.forEach((s, i) => {
      if (s.offset.startsWith('-') && (i !== 0 || s.stage !== 'PRE_DUE')) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'offset'],
          message: 'only a first PRE_DUE step may have a negative offset',
        });
      }
      if (s.stage === 'PRE_DUE' && i !== 0) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'stage'], message: 'PRE_DUE can only be the first step' });
      }
      // A STATEMENT step (template `statement`): the customer's statement of account, sent by e-mail or PEC through
      // the customer workflow (one per customer and day), in place of a reminder text.
      if (s.template === STATEMENT_TEMPLATE) {
        if (s.stage !== 'PRE_DUE' && s.stage !== 'REMINDER') {
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'stage'],
            message: 'a statement step is a PRE_DUE or REMINDER step',
          });
        }
        s.channels.forEach((c, j) => {
          if (c !== 'EMAIL' && c !== 'PEC') {
            ctx.addIssue({
              code: 'custom',
              path: ['steps', i, 'channels', j],
              message: 'a statement of account goes by EMAIL or PEC',
            });
          }
        });
      }
    });
  });

export type PolicyBody = z.infer<typeof policyBodySchema>;

/** The settings of the standard segment's default policy; tools that write a policy of their own start from them. */
export const DEFAULT_POLICY_SETTINGS = {
  promiseGrace: 'P2D',
  promiseMaxHorizon: 'P60D',
  planGrace: 'P5D',
  planMaxInstalments: 24,
  callOutcomeDeadline: 'P2D',
  contactBudget: { max: 3, window: 'P7D' },
  consolidationWindow: 'PT2H',
  timezone: 'Europe/Rome',
};

/** The policies a fresh installation starts with (version 1 of each segment). */
export const DEFAULT_POLICIES: DunningPolicy[] = [
  {
    segment: 'standard',
    version: 1,
    name: 'B2B standard (manufacturing, services)',
    steps: [
      { stage: 'PRE_DUE', offset: '-P5D', channels: ['EMAIL'], template: 'courtesy' },
      { stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'reminder-1' },
      { stage: 'REMINDER', offset: 'P10D', channels: ['EMAIL', 'LETTER'], template: 'reminder-2', attachLetter: true },
      { stage: 'CALL', offset: 'P7D', channels: ['TASK'], template: 'call' },
      { stage: 'ORDER_BLOCK', offset: 'P10D', channels: ['EMAIL'], template: 'order-block', minBalanceMinor: 50_000 },
      { stage: 'FORMAL_NOTICE', offset: 'P7D', channels: ['PEC', 'LETTER'], template: 'formal-notice' },
      { stage: 'LEGAL', offset: 'P15D', channels: ['TASK'], template: 'legal', requiresApproval: true },
    ],
    settings: DEFAULT_POLICY_SETTINGS,
  },
  {
    segment: 'utilities',
    version: 1,
    name: 'Utilities (consumers and small businesses)',
    steps: [
      { stage: 'REMINDER', offset: 'P5D', channels: ['EMAIL', 'SMS'], template: 'reminder-1' },
      { stage: 'REMINDER', offset: 'P10D', channels: ['EMAIL', 'LETTER'], template: 'reminder-2' },
      { stage: 'CALL', offset: 'P5D', channels: ['VOICE', 'TASK'], template: 'call' },
      { stage: 'FORMAL_NOTICE', offset: 'P10D', channels: ['LETTER'], template: 'formal-notice' },
      { stage: 'LEGAL', offset: 'P30D', channels: ['TASK'], template: 'legal', requiresApproval: true },
    ],
    settings: { ...DEFAULT_POLICY_SETTINGS, contactBudget: { max: 2, window: 'P7D' }, planMaxInstalments: 12 },
  },
  {
    segment: 'demo',
    version: 1,
    name: 'Demo: seconds-scale, to watch the stages move live',
    steps: [
      { stage: 'REMINDER', offset: 'PT10S', channels: ['EMAIL'], template: 'reminder-1' },
      { stage: 'REMINDER', offset: 'PT20S', channels: ['EMAIL'], template: 'reminder-2' },
      { stage: 'CALL', offset: 'PT20S', channels: ['TASK'], template: 'call' },
      { stage: 'ORDER_BLOCK', offset: 'PT30S', channels: ['EMAIL'], template: 'order-block' },
      { stage: 'FORMAL_NOTICE', offset: 'PT30S', channels: ['LETTER'], template: 'formal-notice' },
      { stage: 'LEGAL', offset: 'PT30S', channels: ['TASK'], template: 'legal', requiresApproval: true },
    ],
    settings: {
      promiseGrace: 'PT30S',
      promiseMaxHorizon: 'P60D',
      planGrace: 'PT30S',
      planMaxInstalments: 24,
      callOutcomeDeadline: 'PT1M',
      contactBudget: { max: 20, window: 'PT10M' },
      consolidationWindow: 'PT5S',
      timezone: 'Europe/Rome',
    },
  },
];
