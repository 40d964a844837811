/**
 * Why a human decision is refused: a stable reason code with its parameters, and the English sentence built from
 * them. The workflow throws `ApplicationFailure.nonRetryable(message, DECISION_REJECTED, { reason, params })`; the
 * console and the API read `details[0]` and render it in it/en/fr (docs/workflow.md lists every code). Pure.
 */

/** Each reason code and the parameters it carries. Codes never change meaning; new ones are added at the end. */
export interface RejectionParams {
  INVOICE_CLOSED: { invoiceNumber: string; stage: string };
  ACTOR_REQUIRED: Record<string, never>;
  MANAGER_REQUIRED: { action: 'APPROVE_LEGAL' | 'DECLINE_LEGAL' | 'WRITE_OFF'; role: string };
  AMOUNT_INVALID: { field: string; allowZero: boolean };
  DATE_INVALID: { field: string };
  INSTANT_INVALID: { field: string };
  DATE_IN_PAST: { field: string; value: string };
  VALUE_NOT_ALLOWED: { field: string; allowed: string[] };
  TEXT_REQUIRED: { field: string; decision: 'DISPUTE' | 'PAUSE' | 'WRITE_OFF' };
  DISPUTE_OPEN: { decision: 'PROMISE' | 'PLAN' };
  PLAN_ACTIVE: { decision: 'PROMISE' | 'PLAN' };
  PROMISE_BEYOND_HORIZON: { promisedDate: string; maxHorizon: string; lastDate: string };
  AMOUNT_EXCEEDS_BALANCE: { amountMinor: number; balanceMinor: number };
  INSTALMENTS_EMPTY: Record<string, never>;
  TOO_MANY_INSTALMENTS: { count: number; max: number };
  INSTALMENT_DATES_NOT_INCREASING: { index: number };
  INSTALMENTS_SUM_MISMATCH: { sumMinor: number; balanceMinor: number };
  DISPUTE_ALREADY_OPEN: Record<string, never>;
  NO_DISPUTE_OPEN: Record<string, never>;
  BALANCE_NOT_REDUCED: { newBalanceMinor: number; balanceMinor: number };
  TASK_NOT_OPEN: { taskId: string };
  OUTCOME_DETAILS_REQUIRED: {
    outcome: 'PROMISE' | 'DISPUTE' | 'CALLBACK';
    field: 'promise' | 'dispute' | 'callbackAt';
  };
  NO_LEGAL_APPROVAL_PENDING: Record<string, never>;
  NO_LEGAL_CASE_OPEN: Record<string, never>;
  ALREADY_PAUSED: Record<string, never>;
  NOT_PAUSED: Record<string, never>;
  NO_TRIAGE_PENDING: Record<string, never>;
  TRIAGE_NEEDS_CHOICE: { taskId: string };
  /** A reminder sent by a person (`sendReminder`, patch `reminder-now`) is refused while… */
  REMINDER_DISPUTED: Record<string, never>;
  REMINDER_PAUSED: Record<string, never>;
  REMINDER_IN_LEGAL: Record<string, never>;
  /** `at`: the instant the day's reminder went out; `day`: that day in the policy's time zone. */
  REMINDER_ALREADY_TODAY: { at: string; day: string };
  REMINDER_NOT_OVERDUE: { dueDate: string };
  NO_REMINDER_STEP: { policy: string };
}

export type RejectionReason = keyof RejectionParams;

/** `details[0]` of a DECISION_REJECTED failure. */
export type RejectionDetails = { [R in RejectionReason]: { reason: R; params: RejectionParams[R] } }[RejectionReason];

const ACTION_WORDS: Record<RejectionParams['MANAGER_REQUIRED']['action'], string> = {
  APPROVE_LEGAL: 'approving legal action',
  DECLINE_LEGAL: 'declining legal action',
  WRITE_OFF: 'writing off',
};

const TEXT_WORDS: Record<RejectionParams['TEXT_REQUIRED']['decision'], string> = {
  DISPUTE: 'for a dispute',
  PAUSE: 'to pause',
  WRITE_OFF: 'to write off',
};

const OUTCOME_NEEDS: Record<RejectionParams['OUTCOME_DETAILS_REQUIRED']['outcome'], string> = {
  PROMISE: 'promise { promisedDate, amountMinor? }',
  DISPUTE: 'dispute { reasonCode, note }',
  CALLBACK: 'callbackAt, an ISO instant',
};

/** The English sentence of each reason (what the workflow's failure message says; the API falls back to it). */
const MESSAGES: { [R in RejectionReason]: (p: RejectionParams[R]) => string } = {
  INVOICE_CLOSED: (p) => `invoice ${p.invoiceNumber} is closed (${p.stage})`,
  ACTOR_REQUIRED: () => 'actorId is required',
  MANAGER_REQUIRED: (p) => `${ACTION_WORDS[p.action]} needs a manager (role '${p.role}')`,
  AMOUNT_INVALID: (p) =>
    `${p.field} must be a ${p.allowZero ? 'non-negative' : 'positive'} integer amount in minor units`,
  DATE_INVALID: (p) => `${p.field} must be an ISO date (YYYY-MM-DD)`,
  INSTANT_INVALID: (p) => `${p.field} must be an ISO instant or date`,
  DATE_IN_PAST: (p) => `${p.field} ${p.value} is in the past`,
  VALUE_NOT_ALLOWED: (p) => `${p.field} must be one of ${p.allowed.join(', ')}`,
  TEXT_REQUIRED: (p) => `${p.field} is required ${TEXT_WORDS[p.decision]}`,
  DISPUTE_OPEN: (p) =>
    `a dispute is open: resolve it before ${p.decision === 'PROMISE' ? 'recording a promise' : 'proposing a plan'}`,
  PLAN_ACTIVE: (p) =>
    p.decision === 'PROMISE'
      ? 'a repayment plan is active: a promise cannot replace it'
      : 'a repayment plan is already active',
  PROMISE_BEYOND_HORIZON: (p) =>
    `promisedDate ${p.promisedDate} is beyond the policy's maximum horizon (${p.maxHorizon}, until ${p.lastDate})`,
  AMOUNT_EXCEEDS_BALANCE: (p) => `amountMinor ${p.amountMinor} exceeds the balance ${p.balanceMinor}`,
  INSTALMENTS_EMPTY: () => 'instalments must not be empty',
  TOO_MANY_INSTALMENTS: (p) => `${p.count} instalments exceed the policy's maximum of ${p.max}`,
  INSTALMENT_DATES_NOT_INCREASING: (p) =>
    `instalment dates must be strictly increasing (instalments[${p.index}].dueDate)`,
  INSTALMENTS_SUM_MISMATCH: (p) => `instalments sum to ${p.sumMinor}, but the balance is ${p.balanceMinor}`,
  DISPUTE_ALREADY_OPEN: () => 'a dispute is already open',
  NO_DISPUTE_OPEN: () => 'no dispute is open on this invoice',
  BALANCE_NOT_REDUCED: (p) => `newBalanceMinor must be below the current balance ${p.balanceMinor}`,
  TASK_NOT_OPEN: (p) => `task ${p.taskId} is not open on this invoice`,
  OUTCOME_DETAILS_REQUIRED: (p) => `outcome ${p.outcome} needs ${OUTCOME_NEEDS[p.outcome]}`,
  NO_LEGAL_APPROVAL_PENDING: () => 'no legal approval is pending on this invoice',
  NO_LEGAL_CASE_OPEN: () => 'no legal case is open on this invoice',
  ALREADY_PAUSED: () => 'dunning is already paused',
  NOT_PAUSED: () => 'dunning is not paused',
  NO_TRIAGE_PENDING: () => 'this invoice is not waiting for a triage decision',
  TRIAGE_NEEDS_CHOICE: (p) => `task ${p.taskId} is a triage: choose where the invoice enters the cadence instead`,
  REMINDER_DISPUTED: () => 'a dispute is open: no reminder goes out until it is resolved',
  REMINDER_PAUSED: () => 'dunning is paused: resume it before sending a reminder',
  REMINDER_IN_LEGAL: () => 'the invoice is with legal action: reminders no longer go out',
  REMINDER_ALREADY_TODAY: (p) => `a reminder already went out today (${p.day}, at ${p.at})`,
  REMINDER_NOT_OVERDUE: (p) => `the invoice is not overdue yet (due ${p.dueDate})`,
  NO_REMINDER_STEP: (p) => `policy ${p.policy} has no REMINDER step to send`,
};

/** A refused decision (thrown by the validators; the workflow turns it into an ApplicationFailure). */
export class Rejection extends Error {
  readonly details: RejectionDetails;
  constructor(details: RejectionDetails) {
    super((MESSAGES[details.reason] as (p: RejectionParams[RejectionReason]) => string)(details.params));
    this.name = 'Rejection';
    this.details = details;
  }
}

/** Throws the rejection `reason` with its parameters. */
export function reject<R extends RejectionReason>(
  reason: R,
  ...params: RejectionParams[R] extends Record<string, never> ? [] : [RejectionParams[R]]
): never {
  throw new Rejection({ reason, params: params[0] ?? {} } as RejectionDetails);
}
