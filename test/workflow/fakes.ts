/** Test doubles for the activity boundary and policy/input builders shared by the workflow tests. */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { ReportActivities } from '../../activities/reports';
import type {
  ContactRequest,
  DecisionRecordInput,
  ContactResult,
  CreateTaskInput,
  ErpCall,
  SegugioActivities,
  StatementRequest,
  TransitionRecord,
} from '../../activities/types';
import {
  TASK_QUEUE,
  customerMessageSignal,
  customerWorkflowId,
  type CustomerMessage,
  type DunningPolicy,
  type InvoiceWorkflowInput,
  type NoticeReceiptEvent,
  type PolicySettings,
  type PolicyStep,
} from '../../workflows/contract';

/** A fake of every activity that records its calls; individual tests override behaviour through `hooks`. */
export class FakeActivities {
  /** Contacts actually sent (deduplicated by key), with the (skipped) server time they were scheduled at. */
  contacts: Array<ContactRequest & { atMs: number }> = [];
  /** Statements of account sent (deduplicated by key). */
  statements: Array<StatementRequest & { atMs: number }> = [];
  decisions: DecisionRecordInput[] = [];
  customerMessages: Array<{ customerId: string; message: CustomerMessage }> = [];
  /** What loadPolicy answers per segment; absent → a version-0 policy, which no workflow adopts. */
  policies: Record<string, DunningPolicy> = {};
  transitions: TransitionRecord[] = [];
  tasks: Array<CreateTaskInput & { taskId: string }> = [];
  closedTasks: Array<{ taskId: string; status: string }> = [];
  blocks: ErpCall[] = [];
  unblocks: ErpCall[] = [];
  statusPosts: ErpCall[] = [];
  calls: Record<string, unknown[]> = {};
  /** The harness gives every test its own task queue so that workflows of a failed test cannot disturb the next. */
  taskQueue = TASK_QUEUE;
  hooks: {
    sendContact?: (r: ContactRequest) => ContactResult | undefined;
    ratingFails?: boolean;
    /** The next N mirror writes fail (a database outage), then they succeed. */
    recordTransitionFailures?: number;
    /** Throws instead of posting the closing status (an ERP refusal). */
    erpPostInvoiceStatus?: (input: ErpCall) => void;
    /** Throws instead of blocking or unblocking (an ERP refusal). */
    erpBlockCustomer?: (input: ErpCall) => void;
    erpUnblockCustomer?: (input: ErpCall) => void;
  } = {};
  private transitionKeys = new Set<string>();
  /** Activities held in flight until the test releases them (see hold()). */
  private gates: Array<{ name: string; when: (arg: unknown) => boolean; open: Promise<void> }> = [];

  /**
   * Holds the next calls of activity `name` matching `when` in flight until the returned function is called — to
   * deliver a message while the workflow awaits that activity.
   */
  hold(name: string, when: (arg: unknown) => boolean = () => true): () => void {
    let release = () => {};
    const open = new Promise<void>((r) => (release = r));
    this.gates.push({ name, when, open });
    return release;
  }
  private seenContactKeys = new Set<string>();

  /** Real-time delay per activity name, to hold a workflow in a state (e.g. closed but still running). */
  delays: Record<string, number> = {};

  private async note(name: string, arg: unknown): Promise<void> {
    (this.calls[name] ??= []).push(arg);
    const ms = this.delays[name];
    if (ms) await new Promise((r) => setTimeout(r, ms));
    await Promise.all(this.gates.filter((g) => g.name === name && g.when(arg)).map((g) => g.open));
  }

  /** The activities, with signal-with-start of the customer workflow going to `client` (the test server). */
  build(client: Client): SegugioActivities & Pick<ReportActivities, 'recomputeCustomerRating'> {
    return {
      recomputeCustomerRating: async (input) => {
        await this.note('recomputeCustomerRating', input);
        if (this.hooks.ratingFails) throw new Error('rating store unavailable');
        return { rating: 'C', previous: 'C', rerouted: 0 };
      },
      signalCustomerWorkflow: async (input) => {
        await this.note('signalCustomerWorkflow', input);
        this.customerMessages.push(input);
        await client.workflow.signalWithStart('customerWorkflow', {
          workflowId: customerWorkflowId(input.customerId),
          taskQueue: this.taskQueue,
          args: [{ customerId: input.customerId }],
          signal: customerMessageSignal,
          signalArgs: [input.message],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        });
      },
      recordDecision: async (input) => {
        await this.note('recordDecision', input);
        this.decisions.push(input);
      },
      recordTransition: async (input) => {
        await this.note('recordTransition', input);
        if (this.hooks.recordTransitionFailures && this.hooks.recordTransitionFailures > 0) {
          this.hooks.recordTransitionFailures--;
          throw new Error('database unavailable');
        }
        // At least once, like every activity (a local one runs again when its workflow task is retried): the real
        // mirror keeps one timeline row per (invoice, at, kind, summary), and so does this fake.
        const key = `${input.invoiceId}|${input.entry.at}|${input.entry.kind}|${input.entry.summary}`;
        if (this.transitionKeys.has(key)) return;
        this.transitionKeys.add(key);
        this.transitions.push(input);
      },
      sendContact: async (input) => {
        await this.note('sendContact', input);
        const hooked = this.hooks.sendContact?.(input);
        if (hooked) return hooked;
        // Idempotent like the real implementation: the same key twice sends once.
        if (!this.seenContactKeys.has(input.idempotencyKey)) {
          this.seenContactKeys.add(input.idempotencyKey);
          this.contacts.push({ ...input, atMs: Context.current().info.currentAttemptScheduledTimestampMs });
        }
        return { contactEventId: `ce-${input.idempotencyKey}`, status: 'QUEUED' };
      },
      sendStatement: async (input) => {
        await this.note('sendStatement', input);
        if (!this.statements.some((s) => s.idempotencyKey === input.idempotencyKey)) {
          this.statements.push({ ...input, atMs: Context.current().info.currentAttemptScheduledTimestampMs });
        }
        return { contactEventId: `ce-${input.idempotencyKey}`, status: 'QUEUED' };
      },
      createTask: async (input) => {
        await this.note('createTask', input);
        const existing = this.tasks.find((t) => t.idempotencyKey === input.idempotencyKey);
        if (existing) return { taskId: existing.taskId };
        const taskId = `task-${this.tasks.length + 1}-${input.kind}`;
        this.tasks.push({ ...input, taskId });
        return { taskId };
      },
      closeTask: async (input) => {
        await this.note('closeTask', input);
        this.closedTasks.push(input);
      },
      loadPolicy: async (input) => {
        await this.note('loadPolicy', input);
        return this.policies[input.segment] ?? policy({ segment: input.segment, version: 0 });
      },
      erpBlockCustomer: async (input) => {
        await this.note('erpBlockCustomer', input);
        this.hooks.erpBlockCustomer?.(input);
        this.blocks.push(input);
      },
      erpUnblockCustomer: async (input) => {
        await this.note('erpUnblockCustomer', input);
        this.hooks.erpUnblockCustomer?.(input);
        this.unblocks.push(input);
      },
      erpPostInvoiceStatus: async (input) => {
        await this.note('erpPostInvoiceStatus', input);
        this.hooks.erpPostInvoiceStatus?.(input);
        this.statusPosts.push(input);
      },
    };
  }

  stages(): string[] {
    return this.transitions.filter((t) => t.entry.kind === 'STAGE').map((t) => t.stage);
  }
}

export const DAY = 86_400_000;

export function settings(overrides: Partial<PolicySettings> = {}): PolicySettings {
  return {
    promiseGrace: 'P2D',
    promiseMaxHorizon: 'P60D',
    planGrace: 'P5D',
    planMaxInstalments: 24,
    callOutcomeDeadline: 'P3D',
    contactBudget: { max: 10, window: 'P7D' },
    consolidationWindow: 'PT0S',
    timezone: 'Europe/Rome',
    ...overrides,
  };
}

export function policy(overrides: Partial<DunningPolicy> = {}, steps?: PolicyStep[]): DunningPolicy {
  return {
    segment: 'SME',
    version: 1,
    name: 'SME standard',
    steps: steps ?? [
      { stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'reminder-1' },
      { stage: 'REMINDER', offset: 'P7D', channels: ['EMAIL'], template: 'reminder-2' },
      { stage: 'CALL', offset: 'P7D', channels: ['TASK'], template: 'call' },
      { stage: 'ORDER_BLOCK', offset: 'P7D', channels: [], template: 'order-block' },
      { stage: 'FORMAL_NOTICE', offset: 'P7D', channels: ['PEC'], template: 'formal-notice', attachLetter: true },
      { stage: 'LEGAL', offset: 'P15D', channels: [], template: 'legal', requiresApproval: true },
    ],
    settings: settings(),
    ...overrides,
  };
}

let counter = 0;
/** A unique invoice input due `dueInDays` days after `nowMs` (negative: already overdue). */
export function invoiceInput(
  nowMs: number,
  overrides: Partial<InvoiceWorkflowInput> = {},
  dueInDays = 0,
): InvoiceWorkflowInput {
  counter++;
  const id = `${nowMs.toString(36)}-${process.pid}-${counter}`;
  const due = new Date(nowMs + dueInDays * DAY);
  const dueDate = due.toISOString().slice(0, 10);
  const overdueAt = new Date(Date.parse(`${dueDate}T00:00:00Z`) + DAY).toISOString();
  return {
    invoiceId: `inv-${id}`,
    invoiceNumber: `F-${id}`,
    customerId: `cust-${id}`,
    segment: 'SME',
    area: 'Nord',
    collectorId: 'u-collector',
    currency: 'EUR',
    amountMinor: 100_000,
    balanceMinor: 100_000,
    dueDate,
    overdueAt,
    policy: policy(),
    ...overrides,
  };
}

/**
 * The PEC delivery receipt of the invoice's formal notice, as contexts/notices signals it: since the
 * `notice-term-from-receipt` patch, LEGAL counts 15 days from it plus the policy's buffer (default P5D).
 */
export function deliveryReceipt(atMs: number, receiptId = `receipt-${atMs}`): NoticeReceiptEvent {
  return {
    receiptId,
    contactEventId: `ce-${receiptId}`,
    channel: 'PEC',
    status: 'DELIVERED',
    kind: 'DELIVERY',
    stage: 'FORMAL_NOTICE',
    at: new Date(atMs).toISOString(),
  };
}
