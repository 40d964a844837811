/** ISO-8601 durations and date arithmetic used by the workflows (domain/duration.ts), and policy realignment. */
import {
  addDuration,
  durationMillis,
  isDuration,
  isIsoDate,
  parseDuration,
  parseInstant,
  parseIsoDate,
} from '../../domain/duration';
import { realignStepIndex } from '../../workflows/invoice';
import type { DunningPolicy } from '../../workflows/contract';

const T = Date.parse('2025-01-31T10:00:00Z');

test('parses the forms policies use, including negative and fractional seconds', () => {
  expect(parseDuration('P7D')).toMatchObject({ sign: 1, days: 7 });
  expect(parseDuration('-P5D')).toMatchObject({ sign: -1, days: 5 });
  expect(parseDuration('PT30S')).toMatchObject({ seconds: 30 });
  expect(parseDuration('P1Y2M3W4DT5H6M7.5S')).toEqual({
    sign: 1,
    years: 1,
    months: 2,
    weeks: 3,
    days: 4,
    hours: 5,
    minutes: 6,
    seconds: 7.5,
  });
  expect(durationMillis('PT1M30S')).toBe(90_000);
  expect(durationMillis('-PT10S')).toBe(-10_000);
  expect(durationMillis('PT0.5S')).toBe(500);
});

test.each(['', 'P', 'PT', 'P1DT', '7D', 'P-1D', 'P1.5D', 'PT1H2X', 'p1d'])('rejects %p', (text) => {
  expect(isDuration(text)).toBe(false);
  expect(() => parseDuration(text)).toThrow(RangeError);
});

test('adds days as fixed lengths and months on the calendar, clamped to the month end', () => {
  expect(new Date(addDuration(T, 'P1D')).toISOString()).toBe('2025-02-01T10:00:00.000Z');
  expect(new Date(addDuration(T, 'P1M')).toISOString()).toBe('2025-02-28T10:00:00.000Z');
  expect(new Date(addDuration(T, '-P1M')).toISOString()).toBe('2024-12-31T10:00:00.000Z');
  expect(new Date(addDuration(T, 'P1Y1M')).toISOString()).toBe('2026-02-28T10:00:00.000Z');
  expect(new Date(addDuration(T, '-P5D')).toISOString()).toBe('2025-01-26T10:00:00.000Z');
});

test('dates are strict', () => {
  expect(isIsoDate('2025-02-28')).toBe(true);
  expect(isIsoDate('2025-02-30')).toBe(false);
  expect(isIsoDate('2025-2-3')).toBe(false);
  expect(parseIsoDate('2025-03-01')).toBe(Date.UTC(2025, 2, 1));
  expect(parseInstant('2025-03-01')).toBe(Date.UTC(2025, 2, 1));
  expect(parseInstant('2025-03-01T10:00:00+01:00')).toBe(Date.UTC(2025, 2, 1, 9));
  expect(() => parseInstant('tomorrow')).toThrow(RangeError);
});

test('a changed policy continues after the same occurrence of the stage last fired', () => {
  const p = (...stages: Array<DunningPolicy['steps'][number]['stage']>): DunningPolicy =>
    ({
      steps: stages.map((stage) => ({ stage, offset: 'P1D', channels: [], template: 't' })),
    }) as unknown as DunningPolicy;
  expect(realignStepIndex(p('REMINDER', 'REMINDER', 'CALL'), null)).toBe(0);
  expect(realignStepIndex(p('REMINDER', 'REMINDER', 'CALL'), { stage: 'REMINDER', occurrence: 2 })).toBe(2);
  // Fewer reminders in the new policy: go on with the first later stage.
  expect(realignStepIndex(p('REMINDER', 'CALL', 'LEGAL'), { stage: 'REMINDER', occurrence: 2 })).toBe(1);
  // The stage no longer exists: the first later one.
  expect(realignStepIndex(p('PRE_DUE', 'REMINDER', 'LEGAL'), { stage: 'CALL', occurrence: 1 })).toBe(2);
  expect(realignStepIndex(p('REMINDER'), { stage: 'LEGAL', occurrence: 1 })).toBe(1);
});
