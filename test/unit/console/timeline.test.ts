/** The workflow's timeline sentences read back as structured events, which the console renders in it/en/fr. */
import fs from 'node:fs';
import path from 'node:path';
import { workflowEvent } from '../../../contexts/collections/timeline';

const ev = (kind: string, stage: string, summary: string) => workflowEvent({ kind, stage, summary });

describe('timeline events from workflow entries', () => {
  it('reads the sentences the workflow writes', () => {
    expect(ev('STAGE', 'REMINDER', 'collection started under policy standard v3')).toEqual({
      type: 'collection_started',
      params: { segment: 'standard', version: 3 },
    });
    expect(ev('STAGE', 'REMINDER', 'REMINDER (reminder-1) — 3 days overdue')).toEqual({
      type: 'step',
      params: { stage: 'REMINDER', template: 'reminder-1' },
    });
    expect(ev('DECISION', 'CALL', 'dispute opened (DEFECTIVE_GOODS): dunning stopped')).toEqual({
      type: 'dispute_opened',
      params: { reasonCode: 'DEFECTIVE_GOODS' },
    });
    expect(ev('DECISION', 'LEGAL', 'legal action approved: go ahead')).toEqual({
      type: 'legal_approved',
      params: { note: 'go ahead' },
    });
    expect(ev('DECISION', 'CALL', 'paused until 2026-12-20T00:00:00.000Z: waiting for the ERP')).toEqual({
      type: 'paused',
      params: { until: '2026-12-20', reason: 'waiting for the ERP' },
    });
    expect(ev('DECISION', 'CALL', 'CALL (call) skipped: balance below 50000')).toEqual({
      type: 'step_skipped_balance',
      params: { stage: 'CALL', template: 'call', minBalanceMinor: 50_000 },
    });
    expect(ev('POLICY', 'CALL', 'policy standard v1 → v2 (signal): pending deadline recomputed')).toEqual({
      type: 'policy_changed',
      params: { segment: 'standard', from: 1, to: 2 },
    });
  });

  it('reads the entry-band sentences (an imported backlog entering the cadence late)', () => {
    expect(
      ev(
        'DECISION',
        'OPEN',
        'entered at FORMAL_NOTICE: 134 days overdue at intake (policy band ≥ 120); not sent: reminder-1, reminder-2, call',
      ),
    ).toEqual({
      type: 'entered_band',
      params: { stage: 'FORMAL_NOTICE', days: 134, band: 120, skipped: 'reminder-1, reminder-2, call' },
    });
    expect(
      ev('DECISION', 'OPEN', 'entered at CALL: 75 days overdue at intake (policy band ≥ 60, consumers included)'),
    ).toEqual({
      type: 'entered_band',
      params: { stage: 'CALL', days: 75, band: 60, skipped: null },
    });
    expect(
      ev(
        'DECISION',
        'OPEN',
        'entered at CALL: chosen in triage (400 days overdue at intake) — phone first; not sent: reminder-1',
      ),
    ).toEqual({
      type: 'entered_triage',
      params: { stage: 'CALL', days: 400, note: 'phone first', skipped: 'reminder-1' },
    });
    expect(ev('DECISION', 'OPEN', 'triage: collection starts at the first step (400 days overdue at intake)')).toEqual({
      type: 'triage_start',
      params: { days: 400, note: null },
    });
    expect(
      ev(
        'DECISION',
        'OPEN',
        'triage: 400 days overdue at intake (policy band ≥ 365); nothing is sent until a person chooses where collection starts',
      ),
    ).toEqual({ type: 'triage_opened', params: { days: 400, band: 365 } });
    expect(
      ev(
        'DECISION',
        'OPEN',
        'consumer invoice 134 days overdue at intake: the policy band ≥ 120 does not apply to consumers; collection starts at the first step',
      ),
    ).toEqual({ type: 'band_not_for_consumers', params: { days: 134, band: 120 } });
    expect(ev('STAGE', 'CALL', 'CALL (call) — entered at CALL: 75 days overdue at intake (policy band ≥ 60)')).toEqual({
      type: 'step',
      params: { stage: 'CALL', template: 'call' },
    });
  });

  it('takes a payment amount from the payments table, not from the English sentence', () => {
    expect(
      workflowEvent(
        { kind: 'PAYMENT', stage: 'CALL', summary: 'payment BONIF-1 of €1,250.00 received (2026-11-30)' },
        { payment: (ref) => (ref === 'BONIF-1' ? 125_000 : undefined) },
      ),
    ).toEqual({ type: 'payment', params: { reference: 'BONIF-1', paidOn: '2026-11-30', amountMinor: 125_000 } });
  });

  it('reads task outcomes, cancelled calls, late payments and adjustments (each was English in the Italian UI)', () => {
    // workflows/invoice/state.ts completeTask: `${kind} done: ${outcome}${reason}${note}`.
    expect(ev('TASK', 'CALL', 'CALL done: PROMISE (LIQUIDITY) — paga venerdì')).toEqual({
      type: 'task_done',
      params: { kind: 'CALL', outcome: 'PROMISE', reasonCode: 'LIQUIDITY', note: 'paga venerdì' },
    });
    expect(ev('TASK', 'CALL', 'CALL done: NO_ANSWER')).toEqual({
      type: 'task_done',
      params: { kind: 'CALL', outcome: 'NO_ANSWER', reasonCode: null, note: null },
    });
    expect(ev('DECISION', 'CALL', 'promise of €1,250.00 by 2026-12-11 broken (€0.00 paid)')).toEqual({
      type: 'promise_broken',
      params: { promisedDate: '2026-12-11' },
    });
    expect(ev('DECISION', 'CALL', 'instalment of 2027-01-31 missed: plan defaulted, €800.00 due at once')).toEqual({
      type: 'plan_defaulted',
      params: { dueDate: '2027-01-31' },
    });
    expect(
      ev('DECISION', 'PAID', 'the ERP refused the closing status PAID: unknown invoice; a task asks to reconcile it'),
    ).toEqual({ type: 'erp_refused_close', params: { stage: 'PAID' } });
    // workflows/invoice/workflow.ts endCall.
    expect(ev('TASK', 'CALL', 'open call tasks cancelled: dispute opened')).toEqual({
      type: 'calls_cancelled',
      params: { why: 'dispute' },
    });
    expect(ev('TASK', 'LEGAL', 'open call tasks cancelled: the invoice moved on to LEGAL')).toEqual({
      type: 'calls_cancelled',
      params: { why: 'legal' },
    });
    const amounts = {
      payment: (ref: string) => (ref === 'BONIF-9' ? 5_000 : undefined),
      adjustment: (ref: string) => (ref === 'NC-7' ? 20_000 : ref === 'RET-2' ? 90_000 : undefined),
    };
    expect(
      workflowEvent(
        { kind: 'PAYMENT', stage: 'PAID', summary: 'payment BONIF-9 of €50.00 received after closing' },
        amounts,
      ),
    ).toEqual({ type: 'payment_after_close', params: { reference: 'BONIF-9', amountMinor: 5_000 } });
    expect(
      workflowEvent({ kind: 'ADJUSTMENT', stage: 'CALL', summary: 'credit note NC-7 of €200.00' }, amounts),
    ).toEqual({ type: 'adjustment', params: { kind: 'CREDIT_NOTE', reference: 'NC-7', amountMinor: 20_000 } });
    expect(
      workflowEvent({ kind: 'ADJUSTMENT', stage: 'CALL', summary: 'amount changed to €900.00 (RET-2)' }, amounts),
    ).toEqual({ type: 'adjustment', params: { kind: 'AMOUNT_CHANGE', reference: 'RET-2', amountMinor: 90_000 } });
  });

  it('a stage change of an unknown shape still names its stage; anything else keeps its text', () => {
    expect(ev('STAGE', 'PROMISE_WAIT', 'promise to pay €12,500.00 by 2026-12-11')).toEqual({
      type: 'stage',
      params: { stage: 'PROMISE_WAIT' },
    });
    expect(ev('DECISION', 'CALL', 'something new')).toEqual({ type: 'text', params: { text: 'something new' } });
  });

  it('every optional part a timeline message selects on is one the console sets', () => {
    // intl-messageformat throws on a select whose variable is missing, which blanked the invoice page of any invoice
    // with an adjustment (`hasAmount` where the console sets `hasAmountMinor`).
    const web = path.join(__dirname, '..', '..', '..', 'web');
    const page = fs.readFileSync(path.join(web, 'pages', 'invoice.js'), 'utf8');
    const optional = /const OPTIONAL_PARAMS = \[([^\]]*)\]/
      .exec(page)![1]
      .match(/'([^']+)'/g)!
      .map((q) => q.slice(1, -1));
    const set = new Set(optional.map((k) => `has${k[0].toUpperCase()}${k.slice(1)}`));
    const catalogue = fs.readFileSync(path.join(web, 'messages.js'), 'utf8');
    const used = new Set([...catalogue.matchAll(/\{(has[A-Z]\w*), select/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((v) => !set.has(v))).toEqual([]);
  });
});
