/**
 * Money in the currency's own digits (ISO 4217: JPY 0, EUR 2, KWD 3) everywhere on the server: the agenda's ranking,
 * report exports, letters and the timeline's sentences; never a division by 100 for every currency.
 */
import ExcelJS from 'exceljs';
import { money } from '../../../activities/channels/format';
import { taskPriority } from '../../../contexts/collections/agenda';
import { toXlsx } from '../../../contexts/reports/export';
import { currenciesWithOtherDigits, currencyDigits, formatMoney, sumByCurrency, toMinor } from '../../../domain/money';

test('digits per currency', () => {
  expect([currencyDigits('EUR'), currencyDigits('JPY'), currencyDigits('KWD')]).toEqual([2, 0, 3]);
  const other = new Map(currenciesWithOtherDigits());
  expect(other.get('JPY')).toBe(0);
  expect(other.get('KWD')).toBe(3);
  expect(other.has('EUR')).toBe(false);
  // typed amounts: ¥125,000 is 125000 minor units, KWD 1.25 is 1250, €1,250.50 is 125050
  expect([toMinor(125_000, 'JPY'), toMinor(1.25, 'KWD'), toMinor(1250.5, 'EUR')]).toEqual([125_000, 1_250, 125_050]);
});

test('people read the currency’s digits: timeline sentences and letters', () => {
  expect(formatMoney(125_000, 'JPY')).toBe('JP¥125,000');
  expect(formatMoney(1_250, 'KWD')).toBe('KWD\u00a01.250');
  expect(money(125_000, 'JPY', 'en')).toBe('JP¥125,000');
  expect(money(1_250, 'KWD', 'it')).toBe('1,250\u00a0KWD');
});

test('the agenda ranks a yen balance in yen, not in hundredths of a yen', () => {
  // ¥125,000 × 10 days × 3 (rating C) = 3,750,000; €1,250.00 × 10 × 3 = 37,500
  expect(taskPriority(125_000, 10, 'C', 'JPY')).toBe(3_750_000);
  expect(taskPriority(125_000, 10, 'C', 'EUR')).toBe(37_500);
  expect(taskPriority(1_250, 10, 'C', 'KWD')).toBe(37.5);
});

test('balances of different currencies are kept apart', () => {
  const totals = sumByCurrency([
    { currency: 'EUR', amountMinor: 100_00 },
    { currency: 'JPY', amountMinor: 5_000 },
    { currency: 'EUR', amountMinor: 50_00 },
  ]);
  expect([...totals.entries()]).toEqual([
    ['EUR', 150_00],
    ['JPY', 5_000],
  ]);
});

// Three workbooks written and read back: 0.4–0.7 s alone, but over jest's 5 s default in a CI run where the workflow
// project's replays share the two cores (it timed out there once), so the test has the budget of the other heavy
// unit tests.
test('XLSX money cells in major units with the currency’s decimals', async () => {
  const table = {
    title: 'Aging',
    columns: [{ key: 'balanceMinor', header: 'Balance', kind: 'money' as const }],
    rows: [{ balanceMinor: 125_000 }],
  };
  for (const [currency, value, fmt] of [
    ['JPY', 125_000, '#,##0'],
    ['KWD', 125, '#,##0.000'],
    ['EUR', 1_250, '#,##0.00'],
  ] as const) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await toXlsx(table, currency)) as unknown as ArrayBuffer);
    const cell = wb.worksheets[0].getRow(2).getCell(1);
    expect([cell.value, cell.numFmt]).toEqual([value, fmt]);
  }
}, 30_000);
