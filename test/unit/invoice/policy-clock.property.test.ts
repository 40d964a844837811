/**
 * One policy clock: for random policies, start times, pauses and disputes, the what-if simulator's schedule
 * (contexts/reports/simulate.ts `replay`, domain/policy-clock.ts `policySchedule`) is the one the invoice workflow keeps —
 * driven here through the workflow's own pure state module (nextAction → startStep / resume / resolveDispute), the
 * functions its main loop runs. CALL and LEGAL steps are left out: their outcome deadline and approval wait are the
 * workflow's, not the clock's (the simulator does not model collectors).
 */
import fc from 'fast-check';
import { type ScheduledStep, policySchedule } from '../../../domain/policy-clock';
import { replay } from '../../../contexts/reports/simulate';
import type { PolicyStep } from '../../../workflows/contract';
import * as S from '../../../workflows/invoice/state';
import { DAY, collector, invoice, manager, policy } from './fixtures';

const HOUR = 3_600_000;
const MINUTE = 60_000;

interface Halt {
  kind: 'PAUSE' | 'DISPUTE';
  fromMs: number;
  toMs: number;
}

const stepArb = fc.record({
  stage: fc.constantFrom('REMINDER' as const, 'FORMAL_NOTICE' as const, 'ORDER_BLOCK' as const),
  days: fc.integer({ min: 0, max: 20 }),
  hours: fc.integer({ min: 0, max: 23 }),
});

const policyArb = fc
  .record({
    preDueDays: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
    steps: fc.array(stepArb, { minLength: 1, maxLength: 6 }),
  })
  .map(({ preDueDays, steps }): PolicyStep[] => [
    ...(preDueDays
      ? [{ stage: 'PRE_DUE' as const, offset: `-P${preDueDays}D`, channels: ['EMAIL' as const], template: 'pre' }]
      : []),
    ...steps.map((s, i) => ({
      stage: s.stage,
      offset: `P${s.days}DT${s.hours}H`,
      channels: ['EMAIL' as const],
      template: `t${i}`,
    })),
  ]);

/** Non-overlapping halts at odd minutes (no tie with a step deadline), in time order. */
const haltsArb = (overdueAtMs: number) =>
  fc
    .array(
      fc.record({
        kind: fc.constantFrom('PAUSE' as const, 'DISPUTE' as const),
        gapHours: fc.integer({ min: 1, max: 15 * 24 }),
        lengthHours: fc.integer({ min: 1, max: 10 * 24 }),
      }),
      { maxLength: 4 },
    )
    .map((hs) => {
      let t = overdueAtMs - 12 * DAY;
      return hs.map((h): Halt => {
        const fromMs = t + h.gapHours * HOUR + 7 * MINUTE;
        const toMs = fromMs + h.lengthHours * HOUR + 11 * MINUTE;
        t = toMs;
        return { kind: h.kind, fromMs, toMs };
      });
    });

/** The workflow's schedule: its main loop over the pure state module, messages delivered at their instants. */
function workflowSchedule(
  steps: PolicyStep[],
  overdueAtMs: number,
  startedAtMs: number,
  halts: Halt[],
  untilMs: number,
) {
  const inv = S.createInvoice(
    { ...invoice().input, overdueAt: new Date(overdueAtMs).toISOString(), policy: policy(steps) },
    startedAtMs,
    { upsert: () => undefined, log: () => undefined },
  );
  const events = halts.flatMap((h) =>
    h.kind === 'PAUSE'
      ? [
          {
            at: h.fromMs,
            apply: (now: number) =>
              S.pause(inv, { reason: 'r', until: new Date(h.toMs).toISOString(), ...collector }, now),
          },
        ]
      : [
          {
            at: h.fromMs,
            apply: (now: number) => void S.openDispute(inv, { reasonCode: 'OTHER', note: 'n', ...collector }, now),
          },
          {
            at: h.toMs,
            apply: (now: number) => {
              const dispute = inv.carry.dispute;
              if (dispute) S.resolveDispute(inv, dispute, { outcome: 'REJECTED', ...manager }, now);
            },
          },
        ],
  );
  const out: ScheduledStep[] = [];
  let now = startedAtMs;
  for (let guard = 0; guard < 100; guard++) {
    const action = S.nextAction(inv, now);
    const event = events[0];
    const actionDue = action.atMs !== null && action.atMs <= now;
    if (event && !actionDue && (action.atMs === null || event.at < action.atMs)) {
      now = Math.max(now, event.at);
      events.shift()?.apply(now);
      continue;
    }
    if (action.atMs === null) break;
    now = Math.max(now, action.atMs);
    if (now > untilMs) break;
    if (action.do === 'RESUME') {
      S.resume(inv, undefined, 'pause ended', now);
    } else if (action.do === 'FIRE_STEP') {
      const step = S.currentStep(inv);
      if (!step) break;
      const index = inv.carry.stepIndex;
      const occurrence = steps.slice(0, index + 1).filter((s) => s.stage === step.stage).length;
      const start = S.startStep(inv, step, now);
      out.push({ index, stage: step.stage, occurrence, atMs: now, skipped: start.fire ? false : 'LATE_PRE_DUE' });
    } else {
      throw new Error(`unexpected action ${action.do}`);
    }
  }
  return out;
}

const OVERDUE = Date.parse('2026-03-01T00:00:00Z');
const UNTIL = OVERDUE + 400 * DAY;

test('the simulator replays a policy on the dates the workflow fires it', () => {
  fc.assert(
    fc.property(policyArb, fc.integer({ min: -20, max: 5 }), (steps, startDays) => {
      const issueMs = OVERDUE + startDays * DAY;
      const fired = replay(
        { id: 'i', segment: 's', amountMinor: 1, issueMs, dueMs: OVERDUE - DAY, closedUnpaidMs: null, payments: [] },
        steps,
        UNTIL,
      );
      const expected = workflowSchedule(steps, OVERDUE, issueMs, [], UNTIL);
      expect(fired).toEqual(expected.map((e) => ({ ...e, skipped: e.skipped !== false })));
    }),
    { numRuns: 300 },
  );
});

test('the policy clock keeps the workflow schedule through pauses and disputes', () => {
  fc.assert(
    fc.property(policyArb, fc.integer({ min: -20, max: 5 }), haltsArb(OVERDUE), (steps, startDays, halts) => {
      const startedAtMs = OVERDUE + startDays * DAY;
      const live = halts.filter((h) => h.fromMs > startedAtMs);
      const schedule = policySchedule({ steps, overdueAtMs: OVERDUE, startedAtMs, halts: live, untilMs: UNTIL });
      expect(schedule).toEqual(workflowSchedule(steps, OVERDUE, startedAtMs, live, UNTIL));
    }),
    { numRuns: 300 },
  );
});

test('the shipped default policy: the first REMINDER 3 days after overdue, not 2 days before', () => {
  const steps: PolicyStep[] = [
    { stage: 'PRE_DUE', offset: '-P5D', channels: ['EMAIL'], template: 'courtesy' },
    { stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'reminder-1' },
  ];
  const [pre, reminder] = policySchedule({
    steps,
    overdueAtMs: OVERDUE,
    startedAtMs: OVERDUE - 30 * DAY,
    untilMs: UNTIL,
  });
  expect(pre.atMs).toBe(OVERDUE - 5 * DAY);
  expect(reminder.atMs).toBe(OVERDUE + 3 * DAY);
});
