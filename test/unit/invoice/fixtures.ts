/** Builders for the pure invoice module's tests: an invoice in memory, no Temporal, a fixed clock. */
import type { DunningPolicy, InvoiceWorkflowInput, PolicyStep } from '../../../workflows/contract';
import { type Invoice, type Upsert, createInvoice } from '../../../workflows/invoice/state';

export const DAY = 86_400_000;
/** 1 March 2026, midnight UTC: the invoice falls due on 28 February and is overdue from now. */
export const T0 = Date.parse('2026-03-01T00:00:00Z');

export function policy(steps?: PolicyStep[], version = 1): DunningPolicy {
  return {
    segment: 'SME',
    version,
    name: 'SME standard',
    steps: steps ?? [
      { stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'reminder-1' },
      { stage: 'REMINDER', offset: 'P7D', channels: ['EMAIL'], template: 'reminder-2' },
      { stage: 'CALL', offset: 'P7D', channels: ['TASK'], template: 'call' },
      { stage: 'ORDER_BLOCK', offset: 'P7D', channels: ['EMAIL'], template: 'order-block', minBalanceMinor: 50_000 },
      { stage: 'LEGAL', offset: 'P15D', channels: [], template: 'legal', requiresApproval: true },
    ],
    settings: {
      promiseGrace: 'P2D',
      promiseMaxHorizon: 'P60D',
      planGrace: 'P5D',
      planMaxInstalments: 6,
      callOutcomeDeadline: 'P3D',
      contactBudget: { max: 10, window: 'P7D' },
      consolidationWindow: 'PT0S',
      timezone: 'Europe/Rome',
    },
  };
}

export function input(overrides: Partial<InvoiceWorkflowInput> = {}): InvoiceWorkflowInput {
  return {
    invoiceId: 'inv-1',
    invoiceNumber: 'F-1',
    customerId: 'cust-1',
    segment: 'SME',
    area: null,
    collectorId: null,
    currency: 'EUR',
    amountMinor: 100_000,
    balanceMinor: 100_000,
    dueDate: '2026-02-28',
    overdueAt: new Date(T0).toISOString(),
    policy: policy(),
    ...overrides,
  };
}

/** An invoice whose search-attribute upserts and log lines are recorded. */
export function invoice(
  overrides: Partial<InvoiceWorkflowInput> = {},
  startedAtMs = T0,
): Invoice & {
  upserts: Upsert[][];
} {
  const upserts: Upsert[][] = [];
  const inv = createInvoice(input(overrides), startedAtMs, { upsert: (a) => upserts.push(a), log: () => undefined });
  return Object.assign(inv, { upserts });
}

export const collector = { actorId: 'u-collector', role: 'collector' as const };
export const manager = { actorId: 'u-manager', role: 'manager' as const };
