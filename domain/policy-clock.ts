/**
 * The policy clock: when the pending step of a dunning policy falls due. One module for the invoice workflow (which
 * waits for the deadline) and the what-if simulator (which replays policies over past invoices), so that the
 * simulator predicts the dates the workflow keeps.
 *
 * The rules (docs/workflow.md, "Policy clock"):
 * - a step's offset counts from the previous step's firing; the first from the moment the invoice is overdue;
 * - a dunning step never counts from before the overdue moment (a REMINDER after a PRE_DUE courtesy notice still
 *   counts from overdueAt), only PRE_DUE counts from its own anchor;
 * - a pause or a dispute stops the clock ("continue" semantics: the step resumes where it stopped); only halted time
 *   after the clock started counts, so a pause before the invoice is overdue does not delay the first reminder;
 * - a PRE_DUE step that falls due once the invoice is already overdue is skipped without moving the anchor;
 * - a deadline already past fires at once (a timer in the past), so a step never fires before the previous one.
 * Pure: no clock of its own, no I/O; instants are epoch milliseconds.
 */
import { addDuration, type Duration } from './duration';

/** The part of a policy step the clock reads. */
export interface ClockStep {
  stage: string;
  /** ISO-8601 duration (or one already parsed, for replays of many invoices). */
  offset: string | Duration;
}

/** Where the clock stands: the fields of an invoice workflow's carry that the clock owns. */
export interface PolicyClock {
  /** Index of the pending step. */
  stepIndex: number;
  /** The previous step's firing (overdueAt before the first). */
  anchorMs: number;
  /** Halted time already counted against the pending step. */
  clockShiftMs: number;
  /** Since when the clock is halted (pause or dispute), null while it runs. */
  haltedSinceMs: number | null;
}

/** Where a step's offset counts from. */
export function anchorFor(step: ClockStep, anchorMs: number, overdueAtMs: number): number {
  return step.stage === 'PRE_DUE' ? anchorMs : Math.max(anchorMs, overdueAtMs);
}

/** When the clock started for `step`: its anchor, or the workflow's start for a negative (pre-due) offset. */
export function clockStartMs(
  step: ClockStep | undefined,
  anchorMs: number,
  overdueAtMs: number,
  startedAtMs: number,
): number {
  if (!step) return anchorMs;
  const anchor = anchorFor(step, anchorMs, overdueAtMs);
  const due = addDuration(anchor, step.offset);
  return due < anchor ? Math.min(due, startedAtMs) : anchor;
}

/** The deadline of the pending step, null when the policy has no further step. */
export function stepDeadlineMs(clock: PolicyClock, steps: readonly ClockStep[], overdueAtMs: number): number | null {
  const step = steps[clock.stepIndex];
  return step ? addDuration(anchorFor(step, clock.anchorMs, overdueAtMs), step.offset) + clock.clockShiftMs : null;
}

/** Stops the clock (a pause or dispute began); no-op when it is already stopped. */
export function haltClock(clock: PolicyClock, nowMs: number): void {
  if (clock.haltedSinceMs === null) clock.haltedSinceMs = nowMs;
}

/** Restarts a stopped clock: the halted time since the clock started moves the pending deadline. */
export function resumeClock(
  clock: PolicyClock,
  steps: readonly ClockStep[],
  nowMs: number,
  overdueAtMs: number,
  startedAtMs: number,
): void {
  if (clock.haltedSinceMs === null) return;
  const start = clockStartMs(steps[clock.stepIndex], clock.anchorMs, overdueAtMs, startedAtMs);
  clock.clockShiftMs += Math.max(0, nowMs - Math.max(clock.haltedSinceMs, start));
  clock.haltedSinceMs = null;
}

/** True when the pending step is a PRE_DUE notice that would go out after the invoice is overdue (it is skipped). */
export function isLatePreDue(step: ClockStep, nowMs: number, overdueAtMs: number): boolean {
  return step.stage === 'PRE_DUE' && nowMs >= overdueAtMs;
}

/** The pending step fired at `nowMs`: the next one counts from now. Returns the fired step's index. */
export function fireClock(clock: PolicyClock, nowMs: number): number {
  const index = clock.stepIndex++;
  clock.anchorMs = nowMs;
  clock.clockShiftMs = 0;
  return index;
}

/** Which occurrence of its stage the step at `index` is (1 for the first REMINDER, 2 for the second…). */
export function occurrenceOf(steps: readonly ClockStep[], index: number): number {
  let n = 0;
  for (let i = 0; i <= index; i++) if (steps[i].stage === steps[index].stage) n++;
  return n;
}

/** One step on a schedule. */
export interface ScheduledStep {
  index: number;
  stage: string;
  occurrence: number;
  atMs: number;
  /** Why it sent nothing: PRE_DUE after the overdue moment, or the balance below the step's minimum. */
  skipped: false | 'LATE_PRE_DUE' | 'MIN_BALANCE';
}

export interface ScheduleInput {
  steps: ReadonlyArray<ClockStep & { minBalanceMinor?: number }>;
  overdueAtMs: number;
  /** When collection started (the workflow's start). */
  startedAtMs: number;
  /** Pauses and disputes, as [from, to) intervals in time order, not overlapping. */
  halts?: ReadonlyArray<{ fromMs: number; toMs: number }>;
  /** Nothing fires after this instant. */
  untilMs: number;
  /** The balance due at an instant (default: never below any minimum); 0 or less stops the schedule. */
  balanceAt?: (atMs: number) => number;
}

/**
 * The dates the steps of a policy fire for one invoice, as the workflow's clock keeps them, with halts (pauses and
 * disputes) stopping it. Stops at the end of the policy, at `untilMs` or once nothing is due.
 */
export function policySchedule(input: ScheduleInput): ScheduledStep[] {
  const { steps, overdueAtMs, startedAtMs } = input;
  const halts = input.halts ?? [];
  const clock: PolicyClock = { stepIndex: 0, anchorMs: overdueAtMs, clockShiftMs: 0, haltedSinceMs: null };
  const out: ScheduledStep[] = [];
  let nowMs = startedAtMs;
  let h = 0;
  for (;;) {
    // Halts that begin before the pending deadline stop the clock for their length first.
    const deadline = stepDeadlineMs(clock, steps, overdueAtMs);
    if (deadline === null) break;
    const halt = halts[h];
    if (halt && halt.fromMs < Math.max(deadline, nowMs)) {
      nowMs = Math.max(nowMs, halt.fromMs);
      haltClock(clock, nowMs);
      nowMs = Math.max(nowMs, halt.toMs);
      resumeClock(clock, steps, nowMs, overdueAtMs, startedAtMs);
      h++;
      continue;
    }
    const atMs = Math.max(deadline, nowMs);
    if (atMs > input.untilMs) break;
    if (input.balanceAt && input.balanceAt(atMs) <= 0) break;
    nowMs = atMs;
    const index = clock.stepIndex;
    const step = steps[index];
    const occurrence = occurrenceOf(steps, index);
    if (isLatePreDue(step, nowMs, overdueAtMs)) {
      clock.stepIndex++;
      out.push({ index, stage: step.stage, occurrence, atMs, skipped: 'LATE_PRE_DUE' });
      continue;
    }
    fireClock(clock, nowMs);
    const balance = input.balanceAt ? input.balanceAt(atMs) : Infinity;
    const below = step.minBalanceMinor !== undefined && balance < step.minBalanceMinor;
    out.push({ index, stage: step.stage, occurrence, atMs, skipped: below ? 'MIN_BALANCE' : false });
  }
  return out;
}
