/**
 * The activity boundary: what workflows may ask of the outside world. Workflows import this file as types only;
 * `createActivities(deps)` in ./index.ts implements it, and workflow tests pass fakes of the same shape.
 *
 * Every effect carries an idempotency key; implementations record it in PostgreSQL before calling a provider,
 * so a retried activity or a restarted worker never sends twice.
 */
import type {
  Channel,
  CustomerMessage,
  DisputeReason,
  DunningPolicy,
  HistoryEntry,
  Language,
  Instalment,
  LegalStep,
  Stage,
  TaskView,
} from '../workflows/contract';

export interface ContactRequest {
  /** Unique per (invoice or batch, stage, channel, attempt), e.g. `inv-123:REMINDER#1:EMAIL:0`. */
  idempotencyKey: string;
  customerId: string;
  /** One invoice, or several of one customer consolidated into one message. */
  invoiceIds: string[];
  stage: Stage;
  channel: Channel;
  template: string;
  attachLetter?: boolean;
}

/** A statement of account to send (contexts/statements), asked from the console or by a policy step. */
export interface StatementRequest {
  /** Unique per statement and attempt, e.g. `statement:<customerId>:<day>:EMAIL:0`. */
  idempotencyKey: string;
  customerId: string;
  /** The invoices whose policy step asked for it (empty when asked from the console): the contact log names them. */
  invoiceIds: string[];
  /** EMAIL or PEC. */
  channel: Channel;
  /** The stage of the policy step that asked (none from the console). */
  stage?: Stage;
  /** Language of the PDF and the message; the customer's own by default. */
  lang?: Language;
}

export interface ContactResult {
  contactEventId: string;
  /**
   * SENT (handed to the provider), QUEUED (local outbox), SKIPPED (no address for this channel),
   * DEFERRED (quiet hours or days: nothing sent; the workflow waits until `notBefore` and asks again).
   */
  status: 'SENT' | 'QUEUED' | 'SKIPPED' | 'DEFERRED';
  /** With DEFERRED: ISO instant of the next allowed slot. */
  notBefore?: string;
  letterId?: string;
  detail?: string;
}

export interface TransitionRecord {
  invoiceId: string;
  stage: Stage;
  balanceMinor: number;
  /** ISO instant of the next scheduled action, if any. */
  nextActionAt: string | null;
  nextActionKind: string | null;
  entry: HistoryEntry;
  /**
   * The workflow's count of records so far (carried across continue-as-new): with `entry.at` it orders records of
   * the same instant, so the mirror keeps the newest when activities of one batch run concurrently. Absent from
   * workflows started before it existed.
   */
  seq?: number;
}

export interface CreateTaskInput {
  idempotencyKey: string;
  invoiceId: string | null;
  customerId: string;
  kind: TaskView['kind'];
  dueAt: string;
  /** Default: the customer's assigned collector. */
  assigneeId?: string | null;
  note?: string;
}

export interface ErpCall {
  idempotencyKey: string;
  customerId: string;
  invoiceId?: string;
  reason?: string;
}

/**
 * A human decision or its later outcome, mirrored into its own table (PaymentPromise, Dispute, RepaymentPlan,
 * LegalCase/LegalCaseEvent). `key` identifies the row across calls (`inv-1:promise#2`): the first call with a key
 * creates the row, later calls with the same key update its status; a retried call changes nothing.
 */
export type DecisionRecord =
  | {
      kind: 'PROMISE';
      key: string;
      status: 'OPEN' | 'KEPT' | 'BROKEN' | 'CANCELLED';
      promisedDate: string;
      amountMinor: number;
      recordedBy: string;
      note?: string;
    }
  | {
      kind: 'DISPUTE';
      key: string;
      status: 'OPEN' | 'REJECTED' | 'ACCEPTED' | 'PARTIAL';
      reasonCode: DisputeReason;
      note: string;
      openedBy: string;
      resolvedBy?: string;
      resolution?: { outcome: 'REJECTED' | 'ACCEPTED' | 'PARTIAL'; newBalanceMinor?: number; note?: string };
    }
  | {
      kind: 'PLAN';
      key: string;
      status: 'ACTIVE' | 'COMPLETED' | 'DEFAULTED';
      instalments: Array<Instalment & { paidMinor: number; status: 'PENDING' | 'PAID' | 'MISSED' }>;
      proposedBy: string;
    }
  | {
      kind: 'LEGAL';
      key: string;
      status: 'PENDING_APPROVAL' | 'OPEN' | 'CLOSED' | 'DECLINED';
      costsMinor: number;
      recoveredMinor: number;
      /** Present when the call adds a LegalCaseEvent; its idempotency is `key` + `eventKey`. */
      event?: {
        eventKey: string;
        step: LegalStep;
        date: string;
        costMinor: number;
        recoveredMinor: number;
        lawyer?: string;
        note?: string;
        actorId: string;
      };
    };

export interface DecisionRecordInput {
  invoiceId: string;
  customerId: string;
  /** ISO instant of the decision (workflow time). */
  at: string;
  record: DecisionRecord;
}

/** Implemented by activities/temporal-signals.ts (a Temporal client, no database). */
export interface TemporalSignalActivities {
  /**
   * Signal-with-start of the customer workflow (`customer-<customerId>`): starts it when it is not running, then
   * delivers the message. Retries may deliver twice; the customer workflow deduplicates.
   */
  signalCustomerWorkflow(input: { customerId: string; message: CustomerMessage }): Promise<void>;
}

export interface SegugioActivities extends TemporalSignalActivities {
  /** Mirrors a stage change or a decision into the database (Invoice row + timeline). Idempotent on entry.at+kind. */
  recordTransition(input: TransitionRecord): Promise<void>;
  /** Sends one outbound contact through its channel (or the local outbox). */
  sendContact(input: ContactRequest): Promise<ContactResult>;
  /** Sends the customer's statement of account (PDF attached) by e-mail or PEC, once per key; a contact event. */
  sendStatement(input: StatementRequest): Promise<ContactResult>;
  /** Opens a human task (idempotent on its key) and returns its id. */
  createTask(input: CreateTaskInput): Promise<{ taskId: string }>;
  /** Closes a task with its outcome. */
  closeTask(input: { taskId: string; status: 'DONE' | 'CANCELLED'; outcome?: unknown }): Promise<void>;
  /** Current policy of a segment. */
  loadPolicy(input: { segment: string }): Promise<DunningPolicy>;
  /** Asks the ERP to block / unblock new orders for a customer. */
  erpBlockCustomer(input: ErpCall): Promise<void>;
  erpUnblockCustomer(input: ErpCall): Promise<void>;
  /** Tells the ERP an invoice's collection status changed. */
  erpPostInvoiceStatus(input: ErpCall & { invoiceId: string; stage: Stage; balanceMinor: number }): Promise<void>;
  /** Mirrors a promise, dispute, plan or legal case (and its events) into its table; idempotent on the record key. */
  recordDecision(input: DecisionRecordInput): Promise<void>;
}
