import { DEFAULT_POLICIES, DEFAULT_POLICY_SETTINGS, policyBodySchema } from '../../domain/policy';
import { rowToPolicy } from '../../contexts/policies/store';
import { daysOverdue, overdueInstant, todayIn, zonedMidnight } from '../../domain/time';

describe('calendar helpers', () => {
  it('finds local midnight in Rome in winter (UTC+1) and summer (UTC+2)', () => {
    expect(zonedMidnight('2026-01-15', 'Europe/Rome').toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(zonedMidnight('2026-07-15', 'Europe/Rome').toISOString()).toBe('2026-07-14T22:00:00.000Z');
  });

  it('handles the DST change days', () => {
    // 29 March 2026: clocks go forward at 02:00; midnight is still UTC+1.
    expect(zonedMidnight('2026-03-29', 'Europe/Rome').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(zonedMidnight('2026-10-25', 'Europe/Rome').toISOString()).toBe('2026-10-24T22:00:00.000Z');
  });

  it('makes an invoice overdue at the start of the day after its due date', () => {
    expect(overdueInstant('2026-12-31', 'Europe/Rome').toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(overdueInstant('2028-02-28', 'Europe/Rome').toISOString()).toBe('2028-02-28T23:00:00.000Z');
    expect(overdueInstant('2026-06-30', 'America/New_York').toISOString()).toBe('2026-07-01T04:00:00.000Z');
  });

  it("gives today's date in each zone, one formatter per zone reused across calls", () => {
    // 23:30 UTC on 1 December is already 2 December in Rome (UTC+1) and still 1 December in New York.
    const late = new Date('2026-12-01T23:30:00Z');
    expect(todayIn('Europe/Rome', late)).toBe('2026-12-02');
    expect(todayIn('America/New_York', late)).toBe('2026-12-01');
    expect(todayIn('UTC', late)).toBe('2026-12-01');
    // The same zone again, at another instant, through the remembered formatter: summer time (UTC+2).
    expect(todayIn('Europe/Rome', new Date('2026-07-15T22:30:00Z'))).toBe('2026-07-16');
    expect(todayIn('Europe/Rome', new Date('2026-07-15T21:59:00Z'))).toBe('2026-07-15');
    expect(() => todayIn('Mars/Olympus')).toThrow(RangeError);
  });

  it('counts days overdue', () => {
    expect(daysOverdue('2026-01-31', '2026-03-01')).toBe(29);
    expect(daysOverdue('2026-03-01', '2026-02-27')).toBe(-2);
  });
});

describe('policy validation', () => {
  it('accepts every shipped policy', () => {
    // As a PUT body: segment and version come from the path and the store, and the body refuses unknown keys.
    for (const { segment: _segment, version: _version, ...p } of DEFAULT_POLICIES) {
      expect(policyBodySchema.safeParse(p).success).toBe(true);
    }
  });

  it('names the field of a bad offset, time zone or misplaced PRE_DUE', () => {
    const base = DEFAULT_POLICIES[0];
    const bad = {
      ...base,
      steps: [base.steps[1], { ...base.steps[0] }, { ...base.steps[2], offset: '7 days' }],
      settings: { ...base.settings, timezone: 'Mars/Olympus' },
    };
    const r = policyBodySchema.safeParse(bad);
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['steps.2.offset', 'settings.timezone', 'steps.1.stage', 'steps.1.offset']),
    );
  });
});

describe('a stored policy row as the workflows read it', () => {
  it('fills the settings a hand-written row lacks from the defaults and keeps every one it holds', () => {
    const row = { segment: 'x', version: 3, name: 'x', steps: [], settings: { planMaxInstalments: 6 } };
    const p = rowToPolicy(row);
    expect(p.settings.contactBudget).toEqual(DEFAULT_POLICY_SETTINGS.contactBudget);
    expect(p.settings.planMaxInstalments).toBe(6);
    expect(rowToPolicy({ ...row, settings: {} }).settings).toEqual(DEFAULT_POLICY_SETTINGS);
    const full = { ...DEFAULT_POLICY_SETTINGS, timezone: 'Europe/Paris', contactBudget: { max: 9, window: 'P1D' } };
    expect(rowToPolicy({ ...row, settings: full }).settings).toEqual(full);
  });
});
