/** The invoice's pure state module: money, the policy clock, automatic actions, legal events — no Temporal. */
import { SA } from '../../../workflows/contract';
import * as S from '../../../workflows/invoice/state';
import { DAY, T0, collector, invoice, manager, policy } from './fixtures';

describe('money in', () => {
  test('a partial payment lowers the balance; a repeated reference counts once', () => {
    const inv = invoice();
    expect(S.applyPayment(inv, { reference: 'p1', amountMinor: 30_000, paidOn: '2026-03-02' }, T0)).toBe(true);
    expect(inv.carry).toMatchObject({ balanceMinor: 70_000, paidMinor: 30_000, stage: 'OPEN' });
    expect(inv.upserts.at(-1)).toEqual([{ key: SA.balance, value: 700 }]);
    expect(S.applyPayment(inv, { reference: 'p1', amountMinor: 30_000, paidOn: '2026-03-02' }, T0)).toBe(false);
    expect(inv.carry.balanceMinor).toBe(70_000);
    expect(inv.outbox.transitions.map((t) => t.entry.summary)).toEqual(['payment p1 of €300.00 received (2026-03-02)']);
  });

  test('an invalid amount changes nothing', () => {
    const inv = invoice();
    expect(S.applyPayment(inv, { reference: 'p1', amountMinor: -5, paidOn: '2026-03-02' }, T0)).toBe(false);
    expect(inv.carry.references).toEqual([]);
  });

  test('overpaid: closes PAID with the surplus as credit', () => {
    const inv = invoice();
    S.applyPayment(inv, { reference: 'p1', amountMinor: 120_000, paidOn: '2026-03-02' }, T0);
    expect(inv.carry).toMatchObject({ stage: 'PAID', balanceMinor: 0, creditMinor: 20_000 });
    expect(inv.outbox.transitions.at(-1)?.entry.summary).toBe(
      'paid in full (last payment p1) (overpaid by €200.00: credit recorded)',
    );
    expect(S.upcoming(inv, T0)).toBeNull();
  });

  test('a credit note settles; a cancellation closes; nothing is applied after closing', () => {
    const inv = invoice();
    expect(S.applyAdjustment(inv, { reference: 'nc1', kind: 'CREDIT_NOTE', amountMinor: 100_000 }, T0)).toBe(true);
    expect(inv.carry.stage).toBe('SETTLED');
    expect(S.applyAdjustment(inv, { reference: 'x', kind: 'CANCEL' }, T0)).toBe(false);
    const other = invoice();
    S.applyAdjustment(other, { reference: 'c', kind: 'CANCEL' }, T0);
    expect(other.carry.stage).toBe('CANCELLED');
  });

  test('payments fill instalments in date order', () => {
    const inv = invoice();
    S.agreePlan(
      inv,
      {
        instalments: [
          { dueDate: '2026-03-10', amountMinor: 40_000 },
          { dueDate: '2026-04-10', amountMinor: 60_000 },
        ],
        ...manager,
      },
      T0,
    );
    S.applyPayment(inv, { reference: 'p', amountMinor: 50_000, paidOn: '2026-03-05' }, T0);
    expect(inv.carry.plan?.instalments.map((i) => [i.paidMinor, i.status])).toEqual([
      [40_000, 'PAID'],
      [10_000, 'PENDING'],
    ]);
    expect(S.nextAction(inv, T0)).toMatchObject({ do: 'MISS_INSTALMENT', atMs: Date.parse('2026-04-16T00:00:00Z') });
  });
});

describe('the next action', () => {
  test('the first step counts from the overdue moment; a pause stops the clock and moves the deadline', () => {
    const inv = invoice();
    expect(S.nextAction(inv, T0)).toMatchObject({ do: 'FIRE_STEP', kind: 'REMINDER', atMs: T0 + DAY });
    S.pause(inv, { reason: 'holiday', ...collector }, T0 + DAY / 2);
    expect(S.nextAction(inv, T0 + DAY / 2)).toEqual({ do: 'RESUME', kind: 'RESUME', atMs: null });
    S.resume(inv, collector.actorId, 'resumed', T0 + 2 * DAY);
    expect(S.nextAction(inv, T0 + 2 * DAY)).toMatchObject({ atMs: T0 + DAY + 1.5 * DAY });
  });

  test('a dispute waits for review; a promise is judged at the end of its date plus grace', () => {
    const inv = invoice();
    S.openDispute(inv, { reasonCode: 'DEFECTIVE_GOODS', note: 'broken', ...collector }, T0);
    expect(S.nextAction(inv, T0)).toEqual({ do: 'WAIT', kind: 'DISPUTE_REVIEW', atMs: null });
    const dispute = inv.carry.dispute;
    if (!dispute) throw new Error('no dispute');
    S.resolveDispute(inv, dispute, { outcome: 'REJECTED', ...manager }, T0 + DAY);
    S.recordPromise(inv, { promisedDate: '2026-03-05', ...collector }, T0 + DAY);
    expect(inv.carry.stage).toBe('PROMISE_WAIT');
    expect(S.nextAction(inv, T0 + DAY)).toMatchObject({
      do: 'BREAK_PROMISE',
      atMs: Date.parse('2026-03-08T00:00:00Z'),
    });
    S.applyPayment(inv, { reference: 'p', amountMinor: 100_000, paidOn: '2026-03-04' }, T0 + 3 * DAY);
    expect(inv.carry.promise?.status).toBe('KEPT');
    expect(inv.carry.stage).toBe('PAID');
  });

  test('firing a step moves the anchor; a step below its minimum balance fires without contacts', () => {
    const inv = invoice({ balanceMinor: 40_000 });
    const steps = inv.carry.policy.steps;
    inv.carry.stepIndex = 3; // ORDER_BLOCK, minimum 50,000
    const start = S.startStep(inv, steps[3], T0 + 10 * DAY);
    expect(start).toEqual({ fire: true, step: steps[3], ordinal: 1, skippedForBalance: true });
    expect(inv.carry).toMatchObject({ stepIndex: 4, anchorMs: T0 + 10 * DAY, lastFired: { stage: 'ORDER_BLOCK' } });
  });

  test('a PRE_DUE notice once overdue is skipped without moving the anchor', () => {
    const steps = [
      { stage: 'PRE_DUE' as const, offset: '-P5D', channels: ['EMAIL' as const], template: 'courtesy' },
      { stage: 'REMINDER' as const, offset: 'P3D', channels: ['EMAIL' as const], template: 'reminder-1' },
    ];
    const inv = invoice({ policy: policy(steps) }, T0 + DAY);
    expect(S.startStep(inv, steps[0], T0 + DAY)).toEqual({ fire: false });
    expect(inv.carry).toMatchObject({ stepIndex: 1, anchorMs: T0, firedSteps: 0 });
    expect(S.nextAction(inv, T0 + DAY)).toMatchObject({ kind: 'REMINDER', atMs: T0 + 3 * DAY });
  });

  test('an unanswered call escalates before the next step when its deadline comes first', () => {
    const inv = invoice();
    inv.carry.stepIndex = 3;
    inv.carry.anchorMs = T0 + 10 * DAY;
    inv.carry.call = { taskId: 't1', firedAtMs: T0 + 10 * DAY, outcome: null, escalated: false };
    expect(S.nextAction(inv, T0 + 10 * DAY)).toMatchObject({ do: 'CALL_UNANSWERED', atMs: T0 + 13 * DAY });
  });
});

describe('legal action', () => {
  function openCase() {
    const inv = invoice();
    S.startLegal(inv, true);
    expect(S.nextAction(inv, T0)).toMatchObject({ kind: 'LEGAL_APPROVAL' });
    S.approveLegal(inv, { ...manager }, T0);
    expect(inv.carry.legal.status).toBe('OPEN');
    return inv;
  }
  const event = (date: string) => ({ step: 'DIFFIDA' as const, date, costMinor: 0, ...collector });
  const eventKeys = (inv: S.Invoice) =>
    inv.outbox.decisions.flatMap((d) => (d.kind === 'LEGAL' && d.event ? [d.event.eventKey] : []));

  test('two zero-cost events of the same step and date on a long case get different keys (sequence)', () => {
    const inv = openCase();
    for (let i = 0; i < 150; i++)
      S.applyCallStatus(inv, {
        contactEventId: `c${i}`,
        channel: 'VOICE',
        status: 'NO_ANSWER',
        at: '2026-03-02T10:00:00Z',
      });
    expect(inv.carry.history).toHaveLength(S.HISTORY_KEPT);
    S.recordLegalEvent(inv, event('2026-03-10'), true, T0);
    S.recordLegalEvent(inv, event('2026-03-10'), true, T0);
    expect(eventKeys(inv)).toEqual(['event#1', 'event#2']);
  });

  test('the old key collided on the same case (what patch legal-event-seq fixes)', () => {
    const inv = openCase();
    for (let i = 0; i < 150; i++)
      S.applyCallStatus(inv, {
        contactEventId: `c${i}`,
        channel: 'VOICE',
        status: 'NO_ANSWER',
        at: '2026-03-02T10:00:00Z',
      });
    S.recordLegalEvent(inv, event('2026-03-10'), false, T0);
    S.recordLegalEvent(inv, event('2026-03-10'), false, T0);
    const [a, b] = eventKeys(inv);
    expect(a).toBe(b);
  });

  test('a recovery in full closes PAID; closing the case closes LEGAL_CLOSED', () => {
    const inv = openCase();
    S.recordLegalEvent(inv, { ...event('2026-03-10'), costMinor: 5_000, recoveredMinor: 100_000 }, true, T0);
    expect(inv.carry).toMatchObject({ stage: 'PAID', legal: { costsMinor: 5_000, recoveredMinor: 100_000 } });
    const other = openCase();
    S.recordLegalEvent(other, { ...event('2026-03-10'), step: 'CLOSED' }, true, T0);
    expect(other.carry.stage).toBe('LEGAL_CLOSED');
    expect(S.view(other, T0).legal).toEqual({
      approved: true,
      pendingApproval: false,
      costsMinor: 0,
      recoveredMinor: 0,
    });
  });

  test('declined without write-off: dunning goes back to the stage before LEGAL', () => {
    const inv = invoice();
    S.setStage(inv, T0, 'REMINDER', 'r');
    S.setStage(inv, T0, 'LEGAL', 'l');
    S.startLegal(inv, true);
    S.declineLegal(inv, { ...manager, writeOff: false }, T0);
    expect(inv.carry).toMatchObject({ stage: 'REMINDER', legal: { status: 'DECLINED' } });
    expect(S.view(inv, T0).legal).toMatchObject({ approved: false, pendingApproval: false });
  });
});

describe('carries of older runs', () => {
  test('the four legal booleans become legal.status', () => {
    const legacy = {
      approved: true,
      pendingApproval: false,
      open: true,
      declined: false,
      costsMinor: 3,
      recoveredMinor: 1,
    };
    const carry = { ...S.freshCarry(invoice().input), legal: legacy } as unknown as ReturnType<typeof S.freshCarry>;
    expect(S.upgradeCarry(carry).legal).toEqual({ status: 'OPEN', costsMinor: 3, recoveredMinor: 1 });
    const pending = { ...carry, legal: { ...legacy, approved: false, open: false, pendingApproval: true } };
    expect(S.upgradeCarry(pending as unknown as typeof carry).legal.status).toBe('PENDING_APPROVAL');
    const none = { ...carry, legal: { ...legacy, approved: false, open: false } };
    expect(S.upgradeCarry(none as unknown as typeof carry).legal.status).toBe('NONE');
  });
});
