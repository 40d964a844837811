/** The workflow's timeline sentences read back as structured events, which the console renders in it/en/fr. */
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

  it('takes a payment amount from the payments table, not from the English sentence', () => {
    expect(
      workflowEvent(
        { kind: 'PAYMENT', stage: 'CALL', summary: 'payment BONIF-1 of €1,250.00 received (2026-11-30)' },
        { payment: (ref) => (ref === 'BONIF-1' ? 125_000 : undefined) },
      ),
    ).toEqual({ type: 'payment', params: { reference: 'BONIF-1', paidOn: '2026-11-30', amountMinor: 125_000 } });
  });

  it('a stage change of an unknown shape still names its stage; anything else keeps its text', () => {
    expect(ev('STAGE', 'PROMISE_WAIT', 'promise to pay €12,500.00 by 2026-12-11')).toEqual({
      type: 'stage',
      params: { stage: 'PROMISE_WAIT' },
    });
    expect(ev('DECISION', 'CALL', 'something new')).toEqual({ type: 'text', params: { text: 'something new' } });
  });
});
