/**
 * Validators of the human decisions (updates): `validate<Decision>(invoice, input, now)` either throws a Rejection
 * (./rejections.ts: a stable reason code and its parameters) or returns the decision in a shape whose fields are
 * known to be present — the handler then applies that, with no non-null assertion. Pure: the workflow's update
 * validators and handlers call them, and so do the unit tests.
 */
import { addDuration, isIsoDate, isoDate, parseInstant, parseIsoDate } from '../../domain/duration';
import {
  type Actor,
  CALL_OUTCOMES,
  type CallOutcome,
  type ChooseEntry,
  type CompleteTask,
  ENTRY_STAGES,
  DISPUTE_REASONS,
  type DeclineLegal,
  type DisputeReason,
  LEGAL_STEPS,
  type LegalDecision,
  type LegalEvent,
  NON_PAYMENT_REASONS,
  type NonPaymentReason,
  type OpenDispute,
  type PauseDunning,
  type ProposePlan,
  type RecordPromise,
  type ResolveDispute,
  type SendReminder,
  type WriteOff,
} from '../contract';
import { reject } from './rejections';
import { type DisputeResolution, type Invoice, isClosed, lastReminderAt, localDay, reminderStep } from './state';

const MANAGER_ROLES: ReadonlyArray<Actor['role']> = ['manager', 'admin'];

const includes = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (list as readonly string[]).includes(v);

function requireOpen(inv: Invoice): void {
  if (isClosed(inv)) reject('INVOICE_CLOSED', { invoiceNumber: inv.input.invoiceNumber, stage: inv.carry.stage });
}

function requireActor(a: Actor): void {
  if (!a || typeof a.actorId !== 'string' || a.actorId.length === 0) reject('ACTOR_REQUIRED');
}

/** Every decision: the invoice is open and someone decided. */
function requireOpenAndActor(inv: Invoice, a: Actor): void {
  requireOpen(inv);
  requireActor(a);
}

function requireManager(a: Actor, action: 'APPROVE_LEGAL' | 'DECLINE_LEGAL' | 'WRITE_OFF'): void {
  if (!MANAGER_ROLES.includes(a.role)) reject('MANAGER_REQUIRED', { action, role: a.role });
}

function requireAmount(v: unknown, field: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || (!allowZero && v === 0)) {
    reject('AMOUNT_INVALID', { field, allowZero });
  }
  return v;
}

function requireText(v: unknown, field: string, decision: 'DISPUTE' | 'PAUSE' | 'WRITE_OFF'): void {
  if (typeof v !== 'string' || v.trim().length === 0) reject('TEXT_REQUIRED', { field, decision });
}

/** A future instant; `invalid` names the rejection when the text does not parse. */
function requireFutureInstant(text: string | undefined, field: string, now: number, invalid: () => never): number {
  let at = NaN;
  try {
    at = parseInstant(text ?? '');
  } catch {
    invalid();
  }
  if (at <= now) reject('DATE_IN_PAST', { field, value: String(text) });
  return at;
}

const todayMs = (now: number): number => parseIsoDate(isoDate(now));

/** A promise on its own or as a call's outcome. */
function checkPromise(inv: Invoice, p: { promisedDate: string; amountMinor?: number }, now: number): void {
  const c = inv.carry;
  if (c.dispute) reject('DISPUTE_OPEN', { decision: 'PROMISE' });
  if (c.plan?.status === 'ACTIVE') reject('PLAN_ACTIVE', { decision: 'PROMISE' });
  if (typeof p.promisedDate !== 'string' || !isIsoDate(p.promisedDate))
    reject('DATE_INVALID', { field: 'promisedDate' });
  const date = parseIsoDate(p.promisedDate);
  if (date < todayMs(now)) reject('DATE_IN_PAST', { field: 'promisedDate', value: p.promisedDate });
  const maxHorizon = c.policy.settings.promiseMaxHorizon;
  const horizon = addDuration(todayMs(now), maxHorizon);
  if (date > horizon) {
    reject('PROMISE_BEYOND_HORIZON', { promisedDate: p.promisedDate, maxHorizon, lastDate: isoDate(horizon) });
  }
  if (p.amountMinor !== undefined) {
    const amountMinor = requireAmount(p.amountMinor, 'amountMinor');
    if (amountMinor > c.balanceMinor) reject('AMOUNT_EXCEEDS_BALANCE', { amountMinor, balanceMinor: c.balanceMinor });
  }
}

/** A dispute on its own or as a call's outcome. */
function checkDispute(inv: Invoice, d: { reasonCode: string; note: string }): void {
  if (inv.carry.dispute) reject('DISPUTE_ALREADY_OPEN');
  if (!includes(DISPUTE_REASONS, d.reasonCode)) {
    reject('VALUE_NOT_ALLOWED', { field: 'reasonCode', allowed: [...DISPUTE_REASONS] });
  }
  requireText(d.note, 'note', 'DISPUTE');
}

export function validatePromise(inv: Invoice, p: RecordPromise, now: number): RecordPromise {
  requireOpenAndActor(inv, p);
  checkPromise(inv, p, now);
  return p;
}

export function validateDispute(inv: Invoice, d: OpenDispute): OpenDispute {
  requireOpenAndActor(inv, d);
  checkDispute(inv, d);
  return d;
}

/** Returns the open dispute with the resolution (PARTIAL carries its new balance). */
export function validateResolveDispute(
  inv: Invoice,
  r: ResolveDispute,
): { dispute: NonNullable<Invoice['carry']['dispute']>; resolution: DisputeResolution } {
  requireOpenAndActor(inv, r);
  const dispute = inv.carry.dispute;
  if (!dispute) return reject('NO_DISPUTE_OPEN');
  const base = { actorId: r.actorId, ...(r.note !== undefined ? { note: r.note } : {}) };
  if (r.outcome === 'REJECTED' || r.outcome === 'ACCEPTED')
    return { dispute, resolution: { ...base, outcome: r.outcome } };
  if (r.outcome !== 'PARTIAL')
    reject('VALUE_NOT_ALLOWED', { field: 'outcome', allowed: ['REJECTED', 'ACCEPTED', 'PARTIAL'] });
  const newBalanceMinor = requireAmount(r.newBalanceMinor, 'newBalanceMinor', true);
  const balanceMinor = inv.carry.balanceMinor;
  if (newBalanceMinor >= balanceMinor) reject('BALANCE_NOT_REDUCED', { newBalanceMinor, balanceMinor });
  return { dispute, resolution: { ...base, outcome: 'PARTIAL', newBalanceMinor } };
}

export function validatePlan(inv: Invoice, p: ProposePlan, now: number): ProposePlan {
  requireOpenAndActor(inv, p);
  const c = inv.carry;
  if (c.dispute) reject('DISPUTE_OPEN', { decision: 'PLAN' });
  if (c.plan?.status === 'ACTIVE') reject('PLAN_ACTIVE', { decision: 'PLAN' });
  if (!Array.isArray(p.instalments) || p.instalments.length === 0) reject('INSTALMENTS_EMPTY');
  const max = c.policy.settings.planMaxInstalments;
  if (p.instalments.length > max) reject('TOO_MANY_INSTALMENTS', { count: p.instalments.length, max });
  let previous = -Infinity;
  let sum = 0;
  p.instalments.forEach((inst, i) => {
    const field = `instalments[${i}].dueDate`;
    if (typeof inst.dueDate !== 'string' || !isIsoDate(inst.dueDate)) reject('DATE_INVALID', { field });
    const d = parseIsoDate(inst.dueDate);
    if (i === 0 && d < todayMs(now)) reject('DATE_IN_PAST', { field, value: inst.dueDate });
    if (d <= previous) reject('INSTALMENT_DATES_NOT_INCREASING', { index: i });
    previous = d;
    sum += requireAmount(inst.amountMinor, `instalments[${i}].amountMinor`);
  });
  if (sum !== c.balanceMinor) reject('INSTALMENTS_SUM_MISMATCH', { sumMinor: sum, balanceMinor: c.balanceMinor });
  return p;
}

/** A completed task, by outcome: each outcome carries exactly the details it needs. */
export type TaskDecision = {
  taskId: string;
  task: Invoice['carry']['tasks'][number];
  actorId: string;
  reasonCode?: NonPaymentReason;
  note?: string;
} & (
  | { outcome: 'PROMISE'; promise: { promisedDate: string; amountMinor?: number } }
  | { outcome: 'DISPUTE'; dispute: { reasonCode: DisputeReason; note: string } }
  | { outcome: 'CALLBACK'; callbackAt: string; callbackAtMs: number }
  | { outcome: Exclude<CallOutcome, 'PROMISE' | 'DISPUTE' | 'CALLBACK'> }
);

export function validateCompleteTask(inv: Invoice, c: CompleteTask, now: number): TaskDecision {
  requireOpenAndActor(inv, c);
  const task = inv.carry.tasks.find((t) => t.taskId === c.taskId);
  if (!task) return reject('TASK_NOT_OPEN', { taskId: String(c.taskId) });
  // A triage task is done by choosing where the invoice enters (chooseEntry), not by a call outcome.
  if (task.kind === 'TRIAGE') reject('TRIAGE_NEEDS_CHOICE', { taskId: task.taskId });
  if (!includes(CALL_OUTCOMES, c.outcome))
    reject('VALUE_NOT_ALLOWED', { field: 'outcome', allowed: [...CALL_OUTCOMES] });
  if (c.reasonCode !== undefined && !includes(NON_PAYMENT_REASONS, c.reasonCode)) {
    reject('VALUE_NOT_ALLOWED', { field: 'reasonCode', allowed: [...NON_PAYMENT_REASONS] });
  }
  const base = {
    taskId: c.taskId,
    task,
    actorId: c.actorId,
    ...(c.reasonCode !== undefined ? { reasonCode: c.reasonCode } : {}),
    ...(c.note !== undefined ? { note: c.note } : {}),
  };
  switch (c.outcome) {
    case 'PROMISE':
      if (!c.promise) return reject('OUTCOME_DETAILS_REQUIRED', { outcome: 'PROMISE', field: 'promise' });
      checkPromise(inv, c.promise, now);
      return { ...base, outcome: 'PROMISE', promise: c.promise };
    case 'DISPUTE':
      if (!c.dispute) return reject('OUTCOME_DETAILS_REQUIRED', { outcome: 'DISPUTE', field: 'dispute' });
      checkDispute(inv, c.dispute);
      return { ...base, outcome: 'DISPUTE', dispute: c.dispute };
    case 'CALLBACK': {
      const invalid = () => reject('OUTCOME_DETAILS_REQUIRED', { outcome: 'CALLBACK', field: 'callbackAt' });
      const callbackAtMs = requireFutureInstant(c.callbackAt, 'callbackAt', now, invalid);
      return { ...base, outcome: 'CALLBACK', callbackAt: String(c.callbackAt), callbackAtMs };
    }
    default:
      return { ...base, outcome: c.outcome };
  }
}

export function validateApproveLegal(inv: Invoice, a: LegalDecision): LegalDecision {
  requireOpenAndActor(inv, a);
  requireManager(a, 'APPROVE_LEGAL');
  if (inv.carry.legal.status !== 'PENDING_APPROVAL') reject('NO_LEGAL_APPROVAL_PENDING');
  return a;
}

export function validateDeclineLegal(inv: Invoice, d: DeclineLegal): DeclineLegal {
  requireOpenAndActor(inv, d);
  requireManager(d, 'DECLINE_LEGAL');
  if (inv.carry.legal.status !== 'PENDING_APPROVAL') reject('NO_LEGAL_APPROVAL_PENDING');
  return d;
}

export function validateLegalEvent(inv: Invoice, e: LegalEvent): LegalEvent {
  requireOpenAndActor(inv, e);
  if (inv.carry.legal.status !== 'OPEN') reject('NO_LEGAL_CASE_OPEN');
  if (!includes(LEGAL_STEPS, e.step)) reject('VALUE_NOT_ALLOWED', { field: 'step', allowed: [...LEGAL_STEPS] });
  if (typeof e.date !== 'string' || !isIsoDate(e.date)) reject('DATE_INVALID', { field: 'date' });
  requireAmount(e.costMinor, 'costMinor', true);
  if (e.recoveredMinor !== undefined) requireAmount(e.recoveredMinor, 'recoveredMinor', true);
  return e;
}

export function validatePause(inv: Invoice, p: PauseDunning, now: number): PauseDunning {
  requireOpenAndActor(inv, p);
  if (inv.carry.paused) reject('ALREADY_PAUSED');
  requireText(p.reason, 'reason', 'PAUSE');
  if (p.until !== undefined)
    requireFutureInstant(p.until, 'until', now, () => reject('INSTANT_INVALID', { field: 'until' }));
  return p;
}

export function validateResume(inv: Invoice, a: Actor): Actor {
  requireOpenAndActor(inv, a);
  if (!inv.carry.paused) reject('NOT_PAUSED');
  return a;
}

export function validateWriteOff(inv: Invoice, w: WriteOff): WriteOff {
  requireOpenAndActor(inv, w);
  requireManager(w, 'WRITE_OFF');
  requireText(w.reason, 'reason', 'WRITE_OFF');
  return w;
}

/** The stages a person may choose for an invoice in triage: `START` or a stage its current policy has. */
export function entryChoices(inv: Invoice): Array<ChooseEntry['enterAt']> {
  const stages = ENTRY_STAGES.filter((st) => inv.carry.policy.steps.some((s) => s.stage === st));
  return ['START', ...stages];
}

export function validateChooseEntry(inv: Invoice, e: ChooseEntry): ChooseEntry {
  requireOpenAndActor(inv, e);
  if (!inv.carry.triage) reject('NO_TRIAGE_PENDING');
  const allowed = entryChoices(inv);
  if (!includes(allowed, e.enterAt)) reject('VALUE_NOT_ALLOWED', { field: 'enterAt', allowed });
  return e;
}

/** A reminder a person sends now: the step it repeats, checked against the refusals of docs/workflow.md. */
export type ReminderDecision = {
  actorId: string;
  note?: string;
  step: NonNullable<ReturnType<typeof reminderStep>>;
};

/**
 * A reminder sent now by a person (patch `reminder-now`). Refused while a dispute is open or dunning is paused (the
 * debtor was told collection stopped), once legal action is pending or open (the lawyer speaks for the creditor),
 * before the invoice is overdue, when the policy has no REMINDER step to repeat, and when a reminder — a policy step
 * or one sent by hand — already went out today in the policy's time zone (never two the same day).
 */
export function validateSendReminder(inv: Invoice, r: SendReminder, now: number): ReminderDecision {
  requireOpenAndActor(inv, r);
  const c = inv.carry;
  if (c.dispute) reject('REMINDER_DISPUTED');
  if (c.paused) reject('REMINDER_PAUSED');
  if (
    c.stage === 'LEGAL' ||
    c.dunningStage === 'LEGAL' ||
    c.legal.status === 'PENDING_APPROVAL' ||
    c.legal.status === 'OPEN'
  )
    reject('REMINDER_IN_LEGAL');
  if (now < inv.overdueAtMs) reject('REMINDER_NOT_OVERDUE', { dueDate: inv.input.dueDate });
  const step = reminderStep(inv);
  if (!step) return reject('NO_REMINDER_STEP', { policy: `${c.policy.segment} v${c.policy.version}` });
  const last = lastReminderAt(inv);
  const tz = c.policy.settings.timezone;
  if (last !== null && localDay(last, tz) === localDay(now, tz)) {
    reject('REMINDER_ALREADY_TODAY', { at: new Date(last).toISOString(), day: localDay(last, tz) });
  }
  return { actorId: r.actorId, ...(r.note ? { note: r.note } : {}), step };
}
