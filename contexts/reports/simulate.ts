/**
 * "What if" for dunning policies: replays a proposed policy over the last N months of real invoices and payments
 * (nothing is sent, nothing is written) beside the policy each segment has today, and reports the contacts each would
 * have made, when each stage would have fired and the change in DSO.
 *
 * The stated assumption for DSO — constant response lag: a customer pays the same number of days after the same
 * escalation step. A payment that in the baseline came L days after the k-th occurrence of stage S comes L days after
 * the k-th occurrence of S in the proposed policy (or after its last S when it has fewer); a payment that came
 * before any step, or whose step has no counterpart, keeps its date. Day granularity, UTC.
 */
import { addDuration, parseDuration, parseIsoDate, type Duration } from '../../domain/duration';
import { policySchedule, type ClockStep } from '../../domain/policy-clock';
import { Prisma } from '../../generated/prisma/client';
import type { DunningPolicy, PolicyStep } from '../../workflows/contract';
import type { Db } from '../../infra/db';
import { policyForCustomer, trackKey } from '../policies/routing';
import { currentPolicy } from '../policies/store';
import { num } from './filters';
import { round } from './formulas';
import { termEndSql } from '../intake/term-end';

const DAY = 86_400_000;

export interface SimInvoice {
  id: string;
  segment: string;
  amountMinor: number;
  issueMs: number;
  dueMs: number;
  /** When it stopped being collectable without payment (written off, settled…): dunning stops there. */
  closedUnpaidMs: number | null;
  /** Payment days (midnight UTC) and amounts, in date order. */
  payments: Array<{ dayMs: number; amountMinor: number }>;
}

export interface FiredStep {
  index: number;
  stage: string;
  /** 1 for the first REMINDER, 2 for the second… */
  occurrence: number;
  atMs: number;
  skipped: boolean;
}

/** Parsed offsets per policy (a replay of 100,000 invoices must not parse the same durations a million times). */
const parsedSteps = new WeakMap<PolicyStep[], Array<PolicyStep & { offset: Duration }>>();
function parsedOf(steps: PolicyStep[]): Array<ClockStep & { minBalanceMinor?: number }> {
  let d = parsedSteps.get(steps);
  if (!d) {
    d = steps.map((s) => ({ ...s, offset: parseDuration(s.offset) }) as PolicyStep & { offset: Duration });
    parsedSteps.set(steps, d);
  }
  return d;
}

/** Day (midnight UTC) of an instant. */
const dayOf = (ms: number): number => Math.floor(ms / DAY) * DAY;

/**
 * When the policy's steps fire for one invoice given its payments, until it is paid, closed or `horizonMs` — on the
 * workflow's own policy clock (domain/policy-clock.ts): overdue from the start of the day after the due date,
 * collection started on the issue day. Payments dated on a day count as received before any step firing that day.
 * Steps below their minimum balance, and a PRE_DUE notice that would go out once overdue, are skipped (the clock
 * moves on without a contact).
 */
export function replay(inv: SimInvoice, steps: PolicyStep[], horizonMs: number, ignorePayments = false): FiredStep[] {
  const balanceAt = (atMs: number): number => {
    let paid = 0;
    if (!ignorePayments) for (const p of inv.payments) if (p.dayMs <= dayOf(atMs)) paid += p.amountMinor;
    return inv.amountMinor - paid;
  };
  return policySchedule({
    steps: parsedOf(steps),
    overdueAtMs: inv.dueMs + DAY,
    startedAtMs: inv.issueMs,
    untilMs: Math.min(horizonMs, inv.closedUnpaidMs ?? Infinity),
    balanceAt,
  }).map((f) => ({
    index: f.index,
    stage: f.stage,
    occurrence: f.occurrence,
    atMs: f.atMs,
    skipped: f.skipped !== false,
  }));
}

/** The payments of an invoice moved under the constant-response-lag assumption (see the module comment). */
export function shiftPayments(
  inv: SimInvoice,
  baseline: FiredStep[],
  proposedTiming: FiredStep[],
): Array<{ dayMs: number; amountMinor: number }> {
  return inv.payments
    .map((p) => {
      const trigger = [...baseline].reverse().find((s) => !s.skipped && dayOf(s.atMs) <= p.dayMs);
      if (!trigger) return p;
      const lag = p.dayMs - dayOf(trigger.atMs);
      const same = proposedTiming.filter((s) => s.stage === trigger.stage);
      const counterpart = same.find((s) => s.occurrence === trigger.occurrence) ?? same[same.length - 1];
      if (!counterpart) return p;
      return { dayMs: Math.max(inv.issueMs, dayOf(counterpart.atMs) + lag), amountMinor: p.amountMinor };
    })
    .sort((a, b) => a.dayMs - b.dayMs);
}

export interface PolicyOutcome {
  contacts: number;
  /** Outbound messages by channel; TASK counts collector tasks (calls, approvals), not messages. */
  byChannel: Record<string, number>;
  stages: Array<{
    step: number;
    stage: string;
    occurrence: number;
    fired: number;
    skipped: number;
    medianDaysAfterDue: number | null;
  }>;
  receivablesEndMinor: number;
  /** DSO of the simulated population over the window, days, 1 decimal. */
  dso: number | null;
  /** Amount-weighted mean days from due date to payment, payments within the window. */
  avgDaysToPay: number | null;
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function outcome(
  invoices: SimInvoice[],
  fired: Map<string, FiredStep[]>,
  payments: Map<string, Array<{ dayMs: number; amountMinor: number }>>,
  stepsOf: (inv: SimInvoice) => PolicyStep[],
  window: { fromMs: number; toMs: number },
): PolicyOutcome {
  const byChannel: Record<string, number> = {};
  const stageStats = new Map<
    string,
    { step: number; stage: string; occurrence: number; fired: number; skipped: number; days: number[] }
  >();
  let contacts = 0;
  let ar = 0;
  let sales = 0;
  let lateW = 0;
  let paidW = 0;
  for (const inv of invoices) {
    const steps = stepsOf(inv);
    for (const f of fired.get(inv.id) ?? []) {
      const key = `${f.index}`;
      const st = stageStats.get(key) ?? {
        step: f.index + 1,
        stage: f.stage,
        occurrence: f.occurrence,
        fired: 0,
        skipped: 0,
        days: [],
      };
      if (f.skipped) st.skipped++;
      else {
        st.fired++;
        st.days.push((dayOf(f.atMs) - inv.dueMs) / DAY);
        for (const ch of steps[f.index].channels) {
          byChannel[ch] = (byChannel[ch] ?? 0) + 1;
          if (ch !== 'TASK') contacts++;
        }
      }
      stageStats.set(key, st);
    }
    sales += inv.amountMinor;
    const pays = payments.get(inv.id) ?? [];
    const paidByEnd = pays.filter((p) => p.dayMs <= window.toMs).reduce((s, p) => s + p.amountMinor, 0);
    if (inv.closedUnpaidMs === null || inv.closedUnpaidMs > window.toMs) ar += Math.max(0, inv.amountMinor - paidByEnd);
    for (const p of pays) {
      if (p.dayMs > window.toMs) continue;
      lateW += p.amountMinor * ((p.dayMs - inv.dueMs) / DAY);
      paidW += p.amountMinor;
    }
  }
  const days = (window.toMs - window.fromMs) / DAY + 1;
  return {
    contacts,
    byChannel,
    stages: [...stageStats.values()]
      .sort((a, b) => a.step - b.step)
      .map(({ days: d, ...s }) => ({ ...s, medianDaysAfterDue: median(d) })),
    receivablesEndMinor: ar,
    dso: sales > 0 ? round((ar / sales) * days, 1) : null,
    avgDaysToPay: paidW > 0 ? round(lateW / paidW, 1) : null,
  };
}

export interface SimulationInput {
  /** The proposed policy (domain/policy.ts format: name, steps, settings). */
  policy: Pick<DunningPolicy, 'name' | 'steps'> & Partial<Pick<DunningPolicy, 'settings'>>;
  /** Apply the proposed policy to this segment's invoices only (default: every invoice in the window). */
  segment?: string;
  /** Look-back in months, 1..24. */
  months: number;
  /** End of the window (ISO date, default today UTC). */
  asOf?: string;
  currency?: string;
}

export interface SimulationResult {
  window: { from: string; to: string; months: number };
  invoices: number;
  /** Invoices whose customers a rating route sends to another policy: the proposal leaves them on it. */
  routedInvoices: number;
  assumption: string;
  baseline: PolicyOutcome;
  proposed: PolicyOutcome;
  delta: { contacts: number; dso: number | null; avgDaysToPay: number | null };
}

export const DSO_ASSUMPTION =
  'constant response lag: a customer pays the same number of days after the same escalation step (k-th occurrence ' +
  'of the same stage); payments before any step, or whose step has no counterpart, keep their date';

/** Replays the invoices of the last `months` months under today's policies and under the proposed one. */
export async function simulatePolicy(db: Db, input: SimulationInput): Promise<SimulationResult> {
  const toIso = input.asOf ?? new Date().toISOString().slice(0, 10);
  const toMs = parseIsoDate(toIso);
  const fromMs = addDuration(toMs, `-P${input.months}M`) + DAY;
  const fromIso = new Date(fromMs).toISOString().slice(0, 10);
  const rows = await db.$queryRaw<
    Array<{
      id: string;
      segment: string;
      amt: unknown;
      issue: Date;
      due: Date;
      stage: string;
      closed: Date | null;
      rating: string | null;
      pays: Array<[string, number]> | null;
    }>
  >`
    SELECT i.id, i.segment, i."amountMinor" AS amt, i."issueDate" AS issue, ${termEndSql()} AS due, i.stage, i."closedAt" AS closed,
      c.rating, p.pays
    FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
    LEFT JOIN (
      SELECT pp."invoiceId", json_agg(json_build_array(to_char(pp."paidOn", 'YYYY-MM-DD'), pp."amountMinor") ORDER BY pp."paidOn") AS pays
      FROM "Payment" pp JOIN "Invoice" ii ON ii.id = pp."invoiceId"
      WHERE ii."issueDate" BETWEEN ${fromIso}::date AND ${toIso}::date
      GROUP BY pp."invoiceId"
    ) p ON p."invoiceId" = i.id
    WHERE i."issueDate" BETWEEN ${fromIso}::date AND ${toIso}::date AND i.stage <> 'CANCELLED'
      AND i.currency = ${input.currency ?? 'EUR'}
      ${input.segment ? Prisma.sql`AND i.segment = ${input.segment}` : Prisma.empty}`;
  const invoices: SimInvoice[] = rows.map((r) => ({
    id: r.id,
    segment: r.segment,
    amountMinor: num(r.amt),
    issueMs: dayOf(r.issue.getTime()),
    dueMs: dayOf(r.due.getTime()),
    closedUnpaidMs: r.closed && r.stage !== 'PAID' ? dayOf(r.closed.getTime()) : null,
    payments: (r.pays ?? []).map(([d, a]) => ({ dayMs: parseIsoDate(d), amountMinor: Number(a) })),
  }));

  // Today's policy of each invoice: its segment's, or the track the segment's routes name for the customer's rating.
  // The proposal replaces the segments' own policies; invoices on a rating track keep it (their routes still apply).
  const ratingOf = new Map(rows.map((r) => [r.id, r.rating]));
  const tracks = new Map<string, Promise<{ steps: PolicyStep[]; routed: boolean }>>();
  const trackOf = (segment: string, rating: string | null) => {
    const key = `${segment}\u0000${rating}`;
    if (!tracks.has(key))
      tracks.set(
        key,
        currentPolicy(db, segment).then(async (base) => {
          const routed = trackKey(base, rating) !== base.segment;
          return { steps: routed ? (await policyForCustomer(db, segment, rating)).steps : base.steps, routed };
        }),
      );
    return tracks.get(key)!;
  };
  const policyOf = new Map<string, { steps: PolicyStep[]; routed: boolean }>();
  for (const inv of invoices) policyOf.set(inv.id, await trackOf(inv.segment, ratingOf.get(inv.id) ?? null));
  const current = (inv: SimInvoice): PolicyStep[] => policyOf.get(inv.id)?.steps ?? [];
  const proposed = (inv: SimInvoice): PolicyStep[] =>
    policyOf.get(inv.id)?.routed ? current(inv) : input.policy.steps;
  const routedInvoices = [...policyOf.values()].filter((x) => x.routed).length;

  const baseFired = new Map<string, FiredStep[]>();
  const propFired = new Map<string, FiredStep[]>();
  const basePays = new Map<string, Array<{ dayMs: number; amountMinor: number }>>();
  const propPays = new Map<string, Array<{ dayMs: number; amountMinor: number }>>();
  for (const inv of invoices) {
    const base = replay(inv, current(inv), toMs);
    baseFired.set(inv.id, base);
    basePays.set(inv.id, inv.payments);
    const timing = replay(inv, proposed(inv), Infinity, true);
    const shifted = shiftPayments(inv, base, timing);
    propPays.set(inv.id, shifted);
    propFired.set(inv.id, replay({ ...inv, payments: shifted }, proposed(inv), toMs));
  }
  const window = { fromMs, toMs };
  const b = outcome(invoices, baseFired, basePays, current, window);
  const p = outcome(invoices, propFired, propPays, proposed, window);
  const diff = (x: number | null, y: number | null): number | null =>
    x === null || y === null ? null : round(y - x, 1);
  return {
    window: { from: fromIso, to: toIso, months: input.months },
    invoices: invoices.length,
    routedInvoices,
    assumption: DSO_ASSUMPTION,
    baseline: b,
    proposed: p,
    delta: {
      contacts: p.contacts - b.contacts,
      dso: diff(b.dso, p.dso),
      avgDaysToPay: diff(b.avgDaysToPay, p.avgDaysToPay),
    },
  };
}
