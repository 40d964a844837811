import {
  DEFAULT_CONTACT_WINDOW,
  easterSunday,
  endOfLocalDay,
  isContactAllowed,
  italianHolidays,
  nextContactSlot,
  parseHoursRange,
  zonedInstant,
} from '../../../domain/calendar';

describe('contact calendar', () => {
  it('computes Easter', () => {
    expect(easterSunday(2024)).toEqual([3, 31]);
    expect(easterSunday(2025)).toEqual([4, 20]);
    expect(easterSunday(2026)).toEqual([4, 5]);
    expect(easterSunday(2019)).toEqual([4, 21]);
  });

  it('lists Italian public holidays including Easter Monday', () => {
    expect(italianHolidays(2025)).toEqual([
      '2025-01-01',
      '2025-01-06',
      '2025-04-20',
      '2025-04-21',
      '2025-04-25',
      '2025-05-01',
      '2025-06-02',
      '2025-08-15',
      '2025-11-01',
      '2025-12-08',
      '2025-12-25',
      '2025-12-26',
    ]);
    expect(italianHolidays(2026)).toContain('2026-10-04');
    expect(italianHolidays(2026)).toContain('2026-04-06');
  });

  it('converts Rome wall time across DST', () => {
    expect(zonedInstant(2025, 1, 15, 9 * 60, 'Europe/Rome').toISOString()).toBe('2025-01-15T08:00:00.000Z');
    expect(zonedInstant(2025, 7, 15, 9 * 60, 'Europe/Rome').toISOString()).toBe('2025-07-15T07:00:00.000Z');
  });

  it('lets a weekday daytime instant through unchanged', () => {
    const now = new Date('2025-01-15T10:00:00Z');
    expect(nextContactSlot(now)).toEqual(now);
    expect(isContactAllowed(now)).toBe(true);
  });

  it('moves a night instant to 9:00 next morning, Rome time', () => {
    expect(nextContactSlot(new Date('2025-01-14T21:30:00Z')).toISOString()).toBe('2025-01-15T08:00:00.000Z');
    expect(nextContactSlot(new Date('2025-01-15T05:00:00Z')).toISOString()).toBe('2025-01-15T08:00:00.000Z');
  });

  it('skips Sunday and Easter Monday', () => {
    // Saturday 19 Apr 2025, 22:00 in Rome → Sun 20 (Easter), Mon 21 (Easter Monday) → Tue 22, 09:00 CEST
    expect(nextContactSlot(new Date('2025-04-19T20:00:00Z')).toISOString()).toBe('2025-04-22T07:00:00.000Z');
    expect(isContactAllowed(new Date('2025-04-21T10:00:00Z'))).toBe(false);
  });

  it('skips Christmas and St Stephen', () => {
    expect(nextContactSlot(new Date('2025-12-24T20:00:00Z')).toISOString()).toBe('2025-12-27T08:00:00.000Z');
  });

  it('honours configuration: hours, no Saturdays, extra holidays, another time zone', () => {
    const rules = {
      ...DEFAULT_CONTACT_WINDOW,
      ...parseHoursRange('10:00-18:00'),
      saturdayEndMinute: null,
      extraHolidays: ['12-07'],
    };
    // Friday 5 Dec 2025 19:00 Rome → Sat off, Sun off, Mon 8 Dec holiday → Tue 9, 10:00 → 09:00Z; 7 Dec is Sunday anyway
    expect(nextContactSlot(new Date('2025-12-05T18:00:00Z'), rules).toISOString()).toBe('2025-12-09T09:00:00.000Z');
    const paris = { ...DEFAULT_CONTACT_WINDOW, timeZone: 'America/New_York' };
    expect(nextContactSlot(new Date('2025-01-15T12:00:00Z'), paris).toISOString()).toBe('2025-01-15T14:00:00.000Z');
    expect(() => parseHoursRange('9-20')).toThrow(/HH:MM/);
  });

  it('ends a local day at 23:59 there, across month ends and DST changes', () => {
    const end = (iso: string, tz = 'Europe/Rome') => endOfLocalDay(new Date(iso), tz).toISOString();
    // 22:30 in Rome on 1 December (CET, UTC+1) and 00:30 on 2 December, still 1 December in UTC.
    expect(end('2026-12-01T21:30:00Z')).toBe('2026-12-01T22:59:00.000Z');
    expect(end('2026-12-01T23:30:00Z')).toBe('2026-12-02T22:59:00.000Z');
    expect(end('2026-12-31T12:00:00Z')).toBe('2026-12-31T22:59:00.000Z');
    // Summer time (CEST, UTC+2), and the days the clocks change (29 March and 25 October 2026).
    expect(end('2026-07-15T08:00:00Z')).toBe('2026-07-15T21:59:00.000Z');
    expect(end('2026-03-29T08:00:00Z')).toBe('2026-03-29T21:59:00.000Z');
    expect(end('2026-10-25T08:00:00Z')).toBe('2026-10-25T22:59:00.000Z');
  });
});
