/**
 * The pure contract shared by the API, the worker, the workflows and the tests: task queue, workflow ids,
 * message definitions, stages, search-attribute keys and DTO types. No I/O may be imported here.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const TASK_QUEUE = 'segugio';

/** Workflow ids are derived from business ids so that starting twice finds the same execution. */
export const invoiceWorkflowId = (invoiceId: string): string => `invoice-${invoiceId}`;
export const customerWorkflowId = (customerId: string): string => `customer-${customerId}`;
/** One execution per imported file (by its SHA-256): the same file imported again finds it instead of starting anew. */
export const importWorkflowId = (sha256: string): string => `import-${sha256}`;

// ---------------------------------------------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------------------------------------------

export const ACTIVE_STAGES = [
  'OPEN', // created, nothing due yet
  'PRE_DUE', // courtesy notice sent before the due date
  'REMINDER',
  'CALL',
  'PROMISE_WAIT',
  'REPAYMENT_PLAN',
  'ORDER_BLOCK',
  'FORMAL_NOTICE',
  'LEGAL',
] as const;
export const TERMINAL_STAGES = ['PAID', 'SETTLED', 'WRITTEN_OFF', 'LEGAL_CLOSED', 'CANCELLED'] as const;
export const STAGES = [...ACTIVE_STAGES, ...TERMINAL_STAGES] as const;

/** A customer's internal rating, A (safest) … E (riskiest); computed in contexts/reports/rating.ts. */
export const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;
export type Grade = (typeof GRADES)[number];
export type ActiveStage = (typeof ACTIVE_STAGES)[number];
export type TerminalStage = (typeof TERMINAL_STAGES)[number];
export type Stage = (typeof STAGES)[number];
export const isTerminal = (stage: Stage): stage is TerminalStage =>
  (TERMINAL_STAGES as readonly string[]).includes(stage);

export const CHANNELS = ['EMAIL', 'SMS', 'VOICE', 'LETTER', 'PEC', 'TASK'] as const;
export type Channel = (typeof CHANNELS)[number];

export const LANGUAGES = ['it', 'en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Dunning policy
// ---------------------------------------------------------------------------------------------------------------

/** Stages a policy can schedule; PROMISE_WAIT and REPAYMENT_PLAN are entered by decisions, not by the clock. */
export const POLICY_STAGES = ['PRE_DUE', 'REMINDER', 'CALL', 'ORDER_BLOCK', 'FORMAL_NOTICE', 'LEGAL'] as const;
export type PolicyStageKind = (typeof POLICY_STAGES)[number];

export interface PolicyStep {
  stage: PolicyStageKind;
  /**
   * ISO-8601 duration (`P7D`, `PT30S`). The first step counts from the moment the invoice becomes overdue
   * (a leading minus, `-P5D`, places a PRE_DUE courtesy notice before it); every later step counts from the
   * moment the previous step fired. Time spent paused or disputed does not count.
   * A step other than PRE_DUE never counts from before the overdue moment (see docs/workflow.md).
   */
  offset: string;
  channels: Channel[];
  /** Letter / message template name, e.g. `reminder-1`, `formal-notice`. */
  template: string;
  /** Skip the step when the balance is below this amount (minor units). */
  minBalanceMinor?: number;
  /** A human must approve before the step acts (used for LEGAL). */
  requiresApproval?: boolean;
  /** Attach the PDF letter to the e-mail. */
  attachLetter?: boolean;
}

export interface PolicySettings {
  /** Extra time after a promised date before the promise counts as broken. */
  promiseGrace: string;
  /** How far ahead a promise may be dated. */
  promiseMaxHorizon: string;
  /** Grace after an instalment's date before the plan defaults. */
  planGrace: string;
  planMaxInstalments: number;
  /** How long a collector has to log a call outcome before the invoice escalates. */
  callOutcomeDeadline: string;
  /** At most `max` outbound contacts per customer in any rolling `window`, across all their invoices. */
  contactBudget: { max: number; window: string };
  /** Reminders for several invoices of one customer due within this window go out as one message. */
  consolidationWindow: string;
  timezone: string;
  /**
   * Rating-routed cadence: customers of the segment whose internal rating is one of these grades are collected under
   * the named policy (another policy key, e.g. `standard-strict`) instead of this one. One hop: the target's own
   * routes are not followed.
   */
  ratingRoutes?: Partial<Record<Grade, string>>;
  /**
   * A formal notice sent by PEC or letter: the step after it (LEGAL) waits for the end of the term counted from the
   * proof of receipt plus this buffer, so that a transfer ordered on the last day can arrive (docs/channels.md).
   * ISO-8601 duration; default P5D.
   */
  noticeTermBuffer?: string;
  /**
   * How long the step after a formal notice sent by PEC or letter (LEGAL) waits for a proof of receipt before it goes
   * ahead without one, saying so to the person who approves legal action. ISO-8601 duration; default P30D
   * (NOTICE_RECEIPT_MAX_WAIT in domain/notices.ts explains the figure).
   */
  noticeReceiptMaxWait?: string;
  /**
   * Due dates falling on a Saturday move to the next business day like Sundays and public holidays do (arts. 1187
   * and 2963 c.c. move only the latter; a contract or policy may treat Saturday the same way). Default false.
   */
  saturdayIsHoliday?: boolean;
  /**
   * How partial payments are allocated (art. 1194 c.c.): `capital-first` (default), `interest-first`,
   * `costs-interest-first` (see domain/interest.ts).
   */
  paymentAllocation?: 'capital-first' | 'interest-first' | 'costs-interest-first';
  /**
   * The formal notice is a "diffida ad adempiere" (art. 1454 c.c.): it states that the contract is terminated if the
   * term passes unpaid. Only when the business really means to terminate; default false (costituzione in mora only).
   */
  diffidaAdAdempiere?: boolean;
  /**
   * A debtor who says on their portal page "I have already paid" pauses dunning this long while a collector checks
   * (contexts/portal). ISO-8601 duration; default P5D.
   */
  paidClaimPause?: string;
  /**
   * The segment forgoes late-payment interest and/or the EUR 40 fixed compensation: no interest debit note, no claim
   * in statements and letters (contexts/interest-claims/waivers.ts). Default: both claimed.
   */
  interestWaiver?: { interest?: boolean; compensation?: boolean };
  /**
   * Where an invoice that arrives already overdue (an imported backlog) enters the cadence, by how many days overdue
   * it is when its workflow starts (counted from `overdueAt`, the due date as the law's calendar moves it). The band
   * with the highest `minDaysOverdue` not above the invoice's days applies; none (the default): every invoice starts
   * at the first step. Patch `overdue-entry-bands` (docs/workflow.md, "Entering the cadence late").
   */
  entryBands?: EntryBand[];
}

/** Stages an overdue invoice may enter the cadence at: never PRE_DUE (it is overdue) nor LEGAL (a person approves). */
export const ENTRY_STAGES = ['REMINDER', 'CALL', 'ORDER_BLOCK', 'FORMAL_NOTICE'] as const;
export type EntryStage = (typeof ENTRY_STAGES)[number];
/** An entry band's target that is no stage: a TRIAGE task asks a person where the invoice enters. */
export const ENTRY_TRIAGE = 'TRIAGE';

export interface EntryBand {
  /** Days overdue at intake from which the band applies (1 = the first overdue day). */
  minDaysOverdue: number;
  /**
   * The first step of this stage fires at once and every earlier step is skipped (never sent); `TRIAGE` opens a task
   * for a person, who chooses the stage (update `chooseEntry`), and nothing is sent until then.
   */
  enterAt: EntryStage | typeof ENTRY_TRIAGE;
  /**
   * The band applies to consumer (B2C) invoices too. Default false: a consumer invoice follows the policy's steps
   * from the first one unless the policy says otherwise here (docs/workflow.md, "Consumers").
   */
  consumers?: boolean;
}

export interface DunningPolicy {
  segment: string;
  version: number;
  name: string;
  steps: PolicyStep[];
  settings: PolicySettings;
}

// ---------------------------------------------------------------------------------------------------------------
// Workflow input
// ---------------------------------------------------------------------------------------------------------------

/** What the invoice workflow starts with. Personal data stays in the database; the workflow carries ids and money. */
export interface InvoiceWorkflowInput {
  invoiceId: string;
  invoiceNumber: string;
  customerId: string;
  segment: string;
  area: string | null;
  collectorId: string | null;
  currency: string;
  amountMinor: number;
  balanceMinor: number;
  /** ISO date. */
  dueDate: string;
  /** Instant the invoice becomes overdue: the start of the day after `dueDate` in the policy's time zone. */
  overdueAt: string;
  policy: DunningPolicy;
  /** Set only by continue-as-new: the state the previous run handed over. */
  carry?: InvoiceCarry;
  /** Test hook: continue as new once history reaches this many events (besides the server's suggestion). */
  continueAsNewAtHistoryLength?: number;
  /**
   * The business calendar configured where the invoice was started (`SEGUGIO_EXTRA_HOLIDAYS`: local holidays such as
   * the patron saint, ISO dates or recurring MM-DD), handed in so the workflow never reads the environment. Terms
   * counted by the workflow (the formal notice's term from receipt) skip these days too (patch
   * `notice-calendar-from-input`). Absent in workflows started before it: no extra holidays.
   */
  calendar?: { extraHolidays: string[] };
  /**
   * The customer is a consumer (B2C): entry bands apply only where the band says `consumers: true`. Absent in
   * workflows started before it (read as a business customer; no band existed then).
   */
  consumer?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages: signals carry ERP facts, updates carry human decisions (validated), the query reads state.
// ---------------------------------------------------------------------------------------------------------------

export interface PaymentReceived {
  /** The ERP's payment reference: the same reference twice counts once. */
  reference: string;
  amountMinor: number;
  /** ISO date the money was received. */
  paidOn: string;
}

export interface InvoiceAdjusted {
  reference: string;
  /** CREDIT_NOTE reduces the balance by amountMinor; AMOUNT_CHANGE sets a new invoice amount; CANCEL voids it. */
  kind: 'CREDIT_NOTE' | 'AMOUNT_CHANGE' | 'CANCEL';
  amountMinor?: number;
  note?: string;
}

export interface PolicyChanged {
  policy: DunningPolicy;
  /**
   * Set when the customer's rating moved the invoice to another policy key (track): the workflow switches to
   * `policy` even though its key differs. Without it only a newer version of the workflow's own key is adopted.
   */
  reroute?: { rating: string; reason: string };
}

export interface Actor {
  /** User id or API key id of who decided. */
  actorId: string;
  /**
   * `salesperson` (their requests, once a manager approved them) and `debtor` (the customer themselves, through their
   * portal page, contexts/portal) were added after the first histories were recorded; the workflow checks roles only
   * for manager-only decisions, so older histories replay unchanged.
   */
  role: 'erp' | 'collector' | 'manager' | 'admin' | 'salesperson' | 'system' | 'debtor';
}

export interface RecordPromise extends Actor {
  /** ISO date. */
  promisedDate: string;
  /** Defaults to the whole balance. */
  amountMinor?: number;
  note?: string;
}

export const DISPUTE_REASONS = [
  'GOODS_NOT_RECEIVED',
  'DEFECTIVE_GOODS',
  'PRICE_DISAGREEMENT',
  'SERVICE_NOT_RENDERED',
  'DUPLICATE_INVOICE',
  'ALREADY_PAID',
  'WRONG_CUSTOMER',
  'OTHER',
] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

export interface OpenDispute extends Actor {
  reasonCode: DisputeReason;
  note: string;
}

/** How a credit manager resolves a dispute: rejected (dunning resumes), accepted (credit note), partly accepted. */
export const DISPUTE_RESOLUTIONS = ['REJECTED', 'ACCEPTED', 'PARTIAL'] as const;

export interface ResolveDispute extends Actor {
  outcome: (typeof DISPUTE_RESOLUTIONS)[number];
  /** For PARTIAL: the balance that remains due. */
  newBalanceMinor?: number;
  note?: string;
}

export interface Instalment {
  dueDate: string;
  amountMinor: number;
}

export interface ProposePlan extends Actor {
  instalments: Instalment[];
  note?: string;
}

export const CALL_OUTCOMES = ['REACHED', 'NO_ANSWER', 'WRONG_NUMBER', 'PROMISE', 'DISPUTE', 'CALLBACK'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Reasons for non-payment that collectors record; the analytics count them. */
export const NON_PAYMENT_REASONS = [
  'LIQUIDITY',
  'FORGOT',
  'DISPUTE',
  'WAITING_APPROVAL',
  'INVOICE_NOT_RECEIVED',
  'WRONG_DATA',
  'INSOLVENCY',
  'UNREACHABLE',
  'OTHER',
] as const;
export type NonPaymentReason = (typeof NON_PAYMENT_REASONS)[number];

export interface CompleteTask extends Actor {
  taskId: string;
  outcome: CallOutcome;
  reasonCode?: NonPaymentReason;
  note?: string;
  /** With outcome PROMISE. */
  promise?: { promisedDate: string; amountMinor?: number };
  /** With outcome DISPUTE. */
  dispute?: { reasonCode: DisputeReason; note: string };
  /** With outcome CALLBACK: ISO instant. */
  callbackAt?: string;
}

export interface LegalDecision extends Actor {
  note?: string;
}

export interface DeclineLegal extends LegalDecision {
  /** Declining legal action writes the invoice off unless `writeOff` is false, in which case dunning resumes. */
  writeOff?: boolean;
}

export interface PauseDunning extends Actor {
  /** ISO instant; without it the pause lasts until resumed. */
  until?: string;
  reason: string;
}

/** Where an invoice in triage enters the cadence: a stage of its policy, or `START` (the first step, as usual). */
export interface ChooseEntry extends Actor {
  enterAt: EntryStage | 'START';
  note?: string;
}

export interface WriteOff extends Actor {
  reason: string;
}

/**
 * A person sends a reminder now (the invoice page, the list's bulk bar): the template and channels of the policy's
 * current REMINDER step (the last one fired, else the next), outside the schedule — the policy clock does not move.
 */
export interface SendReminder extends Actor {
  note?: string;
}

/**
 * The customer's collector changed (a reassignment, a binding): new tasks of the invoice go to `collectorId` and the
 * `Collector` search attribute follows. `version` orders the changes of one invoice (the database's counter): an
 * older one arriving late, or the same one told twice, changes nothing.
 */
export interface CollectorChanged {
  collectorId: string | null;
  version: number;
  actorId?: string;
}

export const LEGAL_STEPS = [
  'DIFFIDA',
  'DECRETO_INGIUNTIVO',
  'PRECETTO',
  'PIGNORAMENTO',
  'SETTLEMENT',
  'CLOSED',
] as const;
export type LegalStep = (typeof LEGAL_STEPS)[number];

export interface LegalEvent extends Actor {
  step: LegalStep;
  /** ISO date. */
  date: string;
  costMinor: number;
  recoveredMinor?: number;
  lawyer?: string;
  note?: string;
}

export interface HistoryEntry {
  at: string;
  kind: 'STAGE' | 'PAYMENT' | 'ADJUSTMENT' | 'DECISION' | 'CONTACT' | 'TASK' | 'POLICY';
  stage: Stage;
  summary: string;
  actorId?: string;
}

export interface TaskView {
  taskId: string;
  kind:
    | 'CALL'
    | 'REVIEW_DISPUTE'
    | 'APPROVE_LEGAL'
    | 'FIX_CONTACT'
    | 'CALLBACK'
    | 'REVIEW_LETTER'
    | 'ERP_REFUSED'
    /** An invoice that arrived overdue in a TRIAGE entry band: a person chooses where it enters the cadence. */
    | 'TRIAGE';
  dueAt: string;
  assigneeId: string | null;
}

export interface InvoiceState {
  invoiceId: string;
  invoiceNumber: string;
  customerId: string;
  stage: Stage;
  currency: string;
  amountMinor: number;
  balanceMinor: number;
  paidMinor: number;
  creditMinor: number;
  dueDate: string;
  daysOverdue: number;
  policy: { segment: string; version: number };
  next: { kind: string; at: string | null } | null;
  paused: { since: string; until: string | null; reason: string } | null;
  promise: { promisedDate: string; amountMinor: number; status: 'OPEN' | 'KEPT' | 'BROKEN' } | null;
  plan: {
    instalments: Array<Instalment & { paidMinor: number; status: 'PENDING' | 'PAID' | 'MISSED' }>;
    status: 'ACTIVE' | 'COMPLETED' | 'DEFAULTED';
  } | null;
  dispute: { reasonCode: DisputeReason; note: string; openedAt: string } | null;
  pendingTasks: TaskView[];
  legal: { approved: boolean; pendingApproval: boolean; costsMinor: number; recoveredMinor: number } | null;
  history: HistoryEntry[];
  /** A TRIAGE entry band waits for a person's choice (absent from workflows without one). */
  triage?: { daysOverdue: number; minDaysOverdue: number } | null;
  /** The last reminder that went out (a REMINDER step or one sent by a person); absent before any. */
  lastReminder?: { at: string; template: string; channels: Channel[]; manual: boolean } | null;
}

export const paymentSignal = defineSignal<[PaymentReceived]>('payment');
export const invoiceAdjustedSignal = defineSignal<[InvoiceAdjusted]>('invoiceAdjusted');
export const policyChangedSignal = defineSignal<[PolicyChanged]>('policyChanged');

export const recordPromiseUpdate = defineUpdate<InvoiceState, [RecordPromise]>('recordPromise');
export const openDisputeUpdate = defineUpdate<InvoiceState, [OpenDispute]>('openDispute');
export const resolveDisputeUpdate = defineUpdate<InvoiceState, [ResolveDispute]>('resolveDispute');
export const proposePlanUpdate = defineUpdate<InvoiceState, [ProposePlan]>('proposePlan');
export const completeTaskUpdate = defineUpdate<InvoiceState, [CompleteTask]>('completeTask');
export const approveLegalUpdate = defineUpdate<InvoiceState, [LegalDecision]>('approveLegal');
export const declineLegalUpdate = defineUpdate<InvoiceState, [DeclineLegal]>('declineLegal');
export const recordLegalEventUpdate = defineUpdate<InvoiceState, [LegalEvent]>('recordLegalEvent');
export const pauseUpdate = defineUpdate<InvoiceState, [PauseDunning]>('pause');
export const resumeUpdate = defineUpdate<InvoiceState, [Actor]>('resume');
export const writeOffUpdate = defineUpdate<InvoiceState, [WriteOff]>('writeOff');
/** A person chooses where an invoice in triage (an overdue invoice in a TRIAGE entry band) enters the cadence. */
export const chooseEntryUpdate = defineUpdate<InvoiceState, [ChooseEntry]>('chooseEntry');
/** A person sends the current reminder now (patch `reminder-now`); the policy's schedule stays where it was. */
export const sendReminderUpdate = defineUpdate<InvoiceState, [SendReminder]>('sendReminder');
/** The customer's collector changed (patch `collector-follows-reassign`), told by the API after its database write. */
export const collectorChangedSignal = defineSignal<[CollectorChanged]>('collectorChanged');

export const invoiceStateQuery = defineQuery<InvoiceState>('state');

/** Update validators throw this error type; the API maps it to 422 with the message. */
export const DECISION_REJECTED = 'DecisionRejected';

// ---------------------------------------------------------------------------------------------------------------
// Search attributes (typed). Money here is in major units as a Double so operators can filter "Balance > 10000"
// in the Temporal UI; the workflow's own arithmetic stays in integer minor units.
// ---------------------------------------------------------------------------------------------------------------

export const SA = {
  stage: defineSearchAttributeKey('InvoiceStage', SearchAttributeType.KEYWORD),
  customerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  segment: defineSearchAttributeKey('Segment', SearchAttributeType.KEYWORD),
  collector: defineSearchAttributeKey('Collector', SearchAttributeType.KEYWORD),
  area: defineSearchAttributeKey('Area', SearchAttributeType.KEYWORD),
  balance: defineSearchAttributeKey('Balance', SearchAttributeType.DOUBLE),
  currency: defineSearchAttributeKey('Currency', SearchAttributeType.KEYWORD),
  dueDate: defineSearchAttributeKey('DueDate', SearchAttributeType.DATETIME),
  daysOverdue: defineSearchAttributeKey('DaysOverdue', SearchAttributeType.INT),
  /** The ERP's invoice number (`InvoiceNumber = "FT-2026-0105"`): not personal data, unlike names and addresses. */
  invoiceNumber: defineSearchAttributeKey('InvoiceNumber', SearchAttributeType.KEYWORD),
} as const;

/** The CLI's spelling of each search-attribute type (`temporal server start-dev --search-attribute Name=Type`). */
const CLI_TYPE: Partial<Record<SearchAttributeType, 'Keyword' | 'Double' | 'Datetime' | 'Int'>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.INT]: 'Int',
};

/**
 * `--search-attribute` arguments for `temporal server start-dev` and `temporal operator search-attribute create`,
 * derived from `SA` so that a key is declared once.
 */
export const SEARCH_ATTRIBUTE_DEFINITIONS: Array<{ name: string; type: 'Keyword' | 'Double' | 'Datetime' | 'Int' }> =
  Object.values(SA).map((key) => {
    const type = CLI_TYPE[key.type];
    if (!type) throw new Error(`search attribute ${key.name}: no CLI type for ${key.type}`);
    return { name: key.name, type };
  });

/** What an operator filters on when nobody is assigned or no area is known (never an empty keyword). */
export const SA_UNASSIGNED = 'unassigned';
export const SA_NO_AREA = 'none';

/**
 * The search attributes an invoice workflow starts with: one definition for the intake (at start) and the workflow
 * (which sets them itself when started without them). `balanceMajor` is the balance in the currency's own major
 * units (JPY has no minor digits, KWD three: `toMajor` in domain/money.ts), as a Double, for filtering only.
 */
export function initialSearchAttributes(
  input: Pick<
    InvoiceWorkflowInput,
    'invoiceNumber' | 'customerId' | 'segment' | 'collectorId' | 'area' | 'currency' | 'dueDate'
  >,
  at: { daysOverdue: number; balanceMajor: number },
): SearchAttributePair[] {
  return [
    { key: SA.stage, value: 'OPEN' },
    { key: SA.invoiceNumber, value: input.invoiceNumber },
    { key: SA.customerId, value: input.customerId },
    { key: SA.segment, value: input.segment },
    { key: SA.collector, value: input.collectorId ?? SA_UNASSIGNED },
    { key: SA.area, value: input.area ?? SA_NO_AREA },
    { key: SA.balance, value: at.balanceMajor },
    { key: SA.currency, value: input.currency },
    { key: SA.dueDate, value: new Date(`${input.dueDate}T00:00:00Z`) },
    { key: SA.daysOverdue, value: Math.max(0, at.daysOverdue) },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Additions for the invoice and customer workflows (issue 3). Additive only.
// ---------------------------------------------------------------------------------------------------------------

/** Order of stages for escalation ("later than"): terminal stages rank after every active stage. */
export const STAGE_RANK: Record<Stage, number> = Object.fromEntries(STAGES.map((s, i) => [s, i])) as Record<
  Stage,
  number
>;

/**
 * The invoice workflow's state carried across continue-as-new. Opaque to the API: only the workflow reads it.
 * Instants are epoch milliseconds (workflow time).
 */
/** Where legal action stands on an invoice; costs and recoveries accumulate from the first legal event. */
export type LegalCase = { costsMinor: number; recoveredMinor: number } & (
  | { status: 'NONE' }
  | { status: 'PENDING_APPROVAL' }
  | { status: 'OPEN' }
  /** A manager declined legal action and dunning went back to the stage before (a later LEGAL step may ask again). */
  | { status: 'DECLINED' }
);

/** `legal` as carries written before LegalCase existed hold it (read by workflows/invoice/state.ts upgradeCarry). */
export interface LegacyLegalCarry {
  approved: boolean;
  pendingApproval: boolean;
  costsMinor: number;
  recoveredMinor: number;
  open: boolean;
  declined: boolean;
}

export interface InvoiceCarry {
  stage: Stage;
  /** The last stage reached by the policy clock, shown again when a promise or plan ends without closing. */
  dunningStage: ActiveStage;
  /** The dunning stage before `dunningStage` (where a declined legal action without write-off returns). */
  priorDunningStage: ActiveStage;
  amountMinor: number;
  balanceMinor: number;
  paidMinor: number;
  creditMinor: number;
  references: string[];
  policy: DunningPolicy;
  stepIndex: number;
  firedSteps: number;
  lastFired: { stage: PolicyStageKind; occurrence: number } | null;
  anchorMs: number;
  clockShiftMs: number;
  haltedSinceMs: number | null;
  paused: InvoiceState['paused'];
  promise:
    | (NonNullable<InvoiceState['promise']> & {
        recordedAtMs: number;
        /** paid + credited when the promise was made: what came in since counts towards it. */
        paidAtStart: number;
        seq: number;
        recordedBy: string;
        note?: string;
      })
    | null;
  promiseSeq: number;
  /** Records queued for the database mirror so far (orders them; absent in carries of older runs). */
  mirrorSeq?: number;
  plan: (NonNullable<InvoiceState['plan']> & { seq: number; proposedBy: string }) | null;
  planSeq: number;
  dispute: (NonNullable<InvoiceState['dispute']> & { seq: number; openedBy: string }) | null;
  disputeSeq: number;
  tasks: Array<TaskView & { purpose: string }>;
  call: { taskId: string; firedAtMs: number; outcome: CallOutcome | null; escalated: boolean } | null;
  legal: LegalCase;
  /** Legal events recorded so far: numbers each event's idempotency key (absent in carries of older runs). */
  legalEventSeq?: number;
  /**
   * The last formal notice sent by PEC or letter, fired under the `notice-term-from-receipt` patch: the LEGAL step
   * after it counts from its first proof of delivery. Absent in older carries and for notices fired before the patch.
   */
  notice?: NoticeTerm | null;
  /**
   * Contacts this invoice asked the customer workflow for (patch `halt-withdraws-queued-contacts`): a halt withdraws
   * queued ones only when there can be any. Absent in older carries.
   */
  contactsAsked?: number;
  blockRequested: boolean;
  fixContactRequested: boolean;
  history: HistoryEntry[];
  continuedRuns: number;
  /**
   * Patch `overdue-entry-bands`: the entry the next step makes at once (the first step of `stage`, earlier steps
   * skipped), with the reason the timeline gives. Cleared when that step fires. Absent in older carries.
   */
  entryDue?: { stage: EntryStage | null; reason: string } | null;
  /** A TRIAGE entry band waits for a person's choice (`chooseEntry`); absent in older carries. */
  triage?: { daysOverdue: number; minDaysOverdue: number; openedAtMs: number } | null;
  /** Reminders sent by a person (`sendReminder`): numbers each one's request key. Absent in older carries. */
  reminderSeq?: number;
  /**
   * The last reminder that went out: a REMINDER step that sent contacts, or one a person sent. Absent in older
   * carries (a REMINDER step fired on the same day still counts: see lastReminderDay in state.ts).
   */
  lastReminder?: { atMs: number; template: string; channels: Channel[]; manual: boolean } | null;
  /** The collector as last told (`collectorChanged`); absent until a change: `input.collectorId` holds. */
  collector?: { id: string | null; version: number };
}

export interface NoticeTerm {
  /** The policy step index of the formal notice. */
  stepIndex: number;
  firedAtMs: number;
  /** Certified instant of the first delivery proof (PEC delivery receipt, raccomandata delivery date), if any. */
  receivedAtMs: number | null;
  /**
   * Local holidays the term skips besides the national ones (the input's `calendar`, patch
   * `notice-calendar-from-input`); absent for terms started before it.
   */
  extraHolidays?: string[];
  /** Receipt ids already applied (a receipt signalled twice counts once). */
  seen: string[];
}

/** What the customer workflow tells an invoice workflow after a contact it asked for went out (or did not). */
export interface ContactOutcome {
  /** The invoice's request key (`inv-1:REMINDER#1:EMAIL`). */
  requestKey: string;
  /** The key actually sent with (request key + attempt, or the batch's key when consolidated). */
  idempotencyKey: string;
  status: 'SENT' | 'QUEUED' | 'SKIPPED' | 'DEFERRED';
  contactEventId: string | null;
  /** ISO instant the contact was sent. */
  at: string;
  /** Every invoice the message covered (more than one when consolidated). */
  invoiceIds: string[];
  detail?: string;
}

export const contactOutcomeSignal = defineSignal<[ContactOutcome]>('contactOutcome');

/** A contact an invoice workflow asks the customer workflow to send (budget and consolidation apply). */
export interface CustomerContactAsk {
  type: 'contact';
  /** Unique per (invoice, stage, step, channel); the customer workflow appends the attempt. */
  requestKey: string;
  invoiceId: string;
  stage: Stage;
  channel: Channel;
  template: string;
  attachLetter?: boolean;
  contactBudget: PolicySettings['contactBudget'];
  consolidationWindow: string;
}

/** An invoice asks for (block) or gives up (release) the customer's order block. */
export interface CustomerBlockAsk {
  type: 'block' | 'release';
  invoiceId: string;
  reason?: string;
}

/**
 * The invoice's dunning stopped (a dispute or a pause was accepted): the customer workflow drops the contacts of that
 * invoice still waiting in its queue (consolidation window, contact budget, quiet hours), so that no reminder reaches
 * a debtor after the dispute was recorded. Contacts already handed to a provider are not recalled.
 */
export interface CustomerWithdrawAsk {
  type: 'withdraw';
  invoiceId: string;
  reason: 'dispute' | 'pause';
}

export type CustomerMessage = CustomerContactAsk | CustomerBlockAsk | CustomerWithdrawAsk | CustomerStatementAsk;

/**
 * A statement of account asked from the console (`POST /v1/customers/:id/statement/send`): sent by the customer
 * workflow through its contact budget, never merged with another. Policy steps ask for one with a `contact` whose
 * template is `statement` (STATEMENT_TEMPLATE): those of one day are merged into one.
 */
export interface CustomerStatementAsk {
  type: 'statement';
  /** From the request's Idempotency-Key: the same request twice sends once. */
  requestKey: string;
  channel: Channel;
  lang?: Language;
  contactBudget: PolicySettings['contactBudget'];
}

/** The template of a policy step that sends the statement of account instead of a letter or reminder text. */
export const STATEMENT_TEMPLATE = 'statement';

/** A statement waiting in the customer workflow: the invoices (policy steps) that asked for it, if any. */
export interface QueuedStatement {
  /** Base of the idempotency key; the attempt is appended. */
  key: string;
  channel: Channel;
  /** Calendar day (Europe/Rome) of the policy asks it merges; null for a console ask (never merged). */
  day: string | null;
  asks: Array<{ invoiceId: string; requestKey: string }>;
  stage?: Stage;
  lang?: Language;
  receivedAtMs: number;
  /** Policy asks wait the consolidation window so that the day's other invoices join. */
  holdUntilMs: number;
  attempt: number;
  contactBudget: PolicySettings['contactBudget'];
  /** Already sent today on this channel: the asks are told of that statement, nothing is sent again. */
  reuse?: { idempotencyKey: string; contactEventId: string | null; status: ContactOutcome['status'] };
}

export interface CustomerWorkflowInput {
  customerId: string;
  /** Carried across continue-as-new. */
  carry?: CustomerCarry;
}

export interface CustomerCarry {
  blockers: string[];
  blocked: boolean;
  blockEpisode: string | null;
  queue: Array<CustomerContactAsk & { receivedAtMs: number; attempt: number; notBeforeMs: number | null }>;
  sent: Array<{ atMs: number; idempotencyKey: string; channel: Channel; invoiceIds: string[] }>;
  seenRequestKeys: string[];
  contactBudget: PolicySettings['contactBudget'] | null;
  /** The ERP's refusals of a block or unblock, newest last (a person has an ERP_REFUSED task for each). */
  erpRefusals?: CustomerErpRefusal[];
  /** Statements of account waiting (absent in runs started before statements existed). */
  statements?: QueuedStatement[];
  /** The statements policy steps sent on recent days, per channel: later asks of the same day reuse them. */
  statementsSent?: Array<{
    day: string;
    channel: Channel;
    idempotencyKey: string;
    contactEventId: string | null;
    status: ContactOutcome['status'];
  }>;
}

export interface CustomerErpRefusal {
  action: 'block' | 'unblock';
  at: string;
  message: string;
}

export interface CustomerState {
  customerId: string;
  blocked: boolean;
  blockingInvoices: string[];
  queued: Array<{ requestKey: string; invoiceId: string; stage: Stage; channel: Channel; notBefore: string | null }>;
  recentContacts: Array<{ at: string; idempotencyKey: string; channel: Channel; invoiceIds: string[] }>;
  /** The ERP's refusals of a block or unblock (the block state above is Segugio's decision all the same). */
  erpRefusals: CustomerErpRefusal[];
}

/** Invoice workflows reach their customer's workflow through this signal (sent with signal-with-start). */
export const customerMessageSignal = defineSignal<[CustomerMessage]>('customerMessage');
export const customerStateQuery = defineQuery<CustomerState>('customerState');

/** A provider's word on a call or SMS that went out (Twilio status callback), passed on by the API. */
export interface CallStatus {
  contactEventId: string;
  /** VOICE or SMS. */
  channel: string;
  /** COMPLETED | NO_ANSWER | BUSY | FAILED (calls); DELIVERED | FAILED (SMS). */
  status: string;
  /** ISO instant the API received it. */
  at: string;
  durationSeconds?: number;
}

export const callStatusSignal = defineSignal<[CallStatus]>('callStatus');

// ---------------------------------------------------------------------------------------------------------------
// Policy rollouts: a policy change told to every running invoice that follows it, as a durable workflow.
// ---------------------------------------------------------------------------------------------------------------

/** One rollout per policy key at a time: a newer change of the same key supersedes (terminates) the running one. */
export const policyRolloutWorkflowId = (policyKey: string): string => `policy-rollout-${policyKey}`;

export interface PolicyRolloutInput {
  /** The version to tell the running invoices. */
  policy: DunningPolicy;
  /** The version before it (or before a superseded rollout that had not finished rerouting): routes are diffed. */
  previous: DunningPolicy | null;
  /** Carried across continue-as-new. */
  resume?: PolicyRolloutProgress;
}

export interface PolicyRolloutProgress {
  policyKey: string;
  version: number;
  /** The version whose routes the open invoices reflected when this rollout started (null: none before). */
  previousVersion: number | null;
  /** The segments whose running invoices may follow this key: its own and those routing some grades to it. */
  segments: string[];
  /** Index into `segments` of the segment being told, and the visibility page token within it (base64). */
  segmentIndex: number;
  pageToken: string | null;
  pages: number;
  notified: number;
  /** Open invoices moved to another track because the routes changed; null until that step ran. */
  rerouted: { customers: number; invoices: number; signalled: number } | null;
  status: 'RUNNING' | 'DONE';
}

export const policyRolloutQuery = defineQuery<PolicyRolloutProgress>('policyRolloutProgress');

/** A rollout's progress before its first page: what the API answers at once and where the workflow starts. */
export function initialRolloutProgress(input: PolicyRolloutInput): PolicyRolloutProgress {
  return {
    policyKey: input.policy.segment,
    version: input.policy.version,
    previousVersion: input.previous?.version ?? null,
    segments: [],
    segmentIndex: 0,
    pageToken: null,
    pages: 0,
    notified: 0,
    rerouted: null,
    status: 'RUNNING',
  };
}

/**
 * A proof about a notice the invoice sent (PEC receipt read from the PEC mailbox, raccomandata event recorded through
 * the API or a provider CSV), passed on once per receipt by contexts/notices. Terms of a formal notice run from the
 * DELIVERED one (docs/channels.md); a receipt delivered twice carries the same `receiptId`.
 */
export interface NoticeReceiptEvent {
  receiptId: string;
  contactEventId: string;
  channel: 'PEC' | 'LETTER';
  /** The contact's status after the receipt. */
  status: 'ACCEPTED' | 'DELIVERED' | 'FAILED';
  /** ACCEPTANCE, DELIVERY, NON_DELIVERY… (PEC) or POSTED, DELIVERED, RETURNED (letter). */
  kind: string;
  /** The stage of the contact (FORMAL_NOTICE for a diffida). */
  stage: Stage | null;
  /** ISO instant on the proof: the delivery receipt's certified time, the raccomandata's delivery date. */
  at: string;
}

export const noticeReceiptSignal = defineSignal<[NoticeReceiptEvent]>('noticeReceipt');

/**
 * A collector's click-to-call from the agenda (workflows/click-to-call.ts): one `sendContact` on VOICE with the
 * `call` template, which with `TWILIO_AGENT_NUMBER` rings the collector first and bridges them to the customer.
 * The workflow id is built from the task and the request's Idempotency-Key, so the same request never rings twice.
 */
export interface ClickToCallInput {
  taskId: string;
  customerId: string;
  invoiceIds: string[];
  /** The contact's idempotency key (recorded before Twilio is called). */
  idempotencyKey: string;
}
export const CLICK_TO_CALL_WORKFLOW = 'clickToCallWorkflow';
export const clickToCallWorkflowId = (taskId: string, key: string): string => `click-to-call-${taskId}-${key}`;
