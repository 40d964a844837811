/**
 * What an operator reads in the Temporal UI (issue 15): money in the currency's own digits (ISO 4217: EUR 2, JPY 0,
 * KWD 3), timers named for what they wait for; and the one reading of SEGUGIO_EXTRA_HOLIDAYS.
 */
import { invoiceSummary, operatorMoney, timerSummary } from '../../domain/operator-text';
import { extraHolidays, loadConfig } from '../../infra/config';

const NBSP = '\u00a0';

test('money in the Italian form with the currency digits', () => {
  expect(operatorMoney(1_530_000, 'EUR')).toBe(`15.300,00${NBSP}€`);
  expect(operatorMoney(125_000, 'JPY')).toBe(`125.000${NBSP}JPY`);
  expect(operatorMoney(13_300, 'KWD')).toBe(`13,300${NBSP}KWD`);
  expect(
    invoiceSummary({ invoiceNumber: 'FT-2026-0105', stage: 'REMINDER', balanceMinor: 1_530_000, currency: 'EUR' }),
  ).toBe(`FT-2026-0105 · REMINDER · 15.300,00${NBSP}€`);
});

test('timer names in the policy time zone', () => {
  const at = Date.parse('2026-12-12T08:00:00Z');
  expect(timerSummary('REMINDER', at, 'Europe/Rome', 'reminder-2')).toBe(
    'next step: reminder-2 (REMINDER) on 12 Dec 2026, 09:00',
  );
  expect(timerSummary('PROMISE_CHECK', at, 'Europe/Rome')).toBe('promise check on 12 Dec 2026, 09:00');
  expect(timerSummary('CALL_OUTCOME', at, 'Europe/Rome')).toBe('call outcome deadline on 12 Dec 2026, 09:00');
});

test('SEGUGIO_EXTRA_HOLIDAYS: ISO dates or recurring MM-DD, anything else refused at boot', () => {
  const base = { SEGUGIO_MODE: 'test', DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db' };
  expect(extraHolidays(loadConfig({ ...base, SEGUGIO_EXTRA_HOLIDAYS: ' 06-29, 2026-12-07 ,' }))).toEqual([
    '06-29',
    '2026-12-07',
  ]);
  expect(extraHolidays(loadConfig(base))).toEqual([]);
  expect(() => loadConfig({ ...base, SEGUGIO_EXTRA_HOLIDAYS: '29/06' })).toThrow(/SEGUGIO_EXTRA_HOLIDAYS/);
});
