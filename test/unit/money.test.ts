import { formatMoney } from '../../domain/money';

test('minor units with the currency’s own decimals, in the timeline’s English form', () => {
  expect(formatMoney(1_250_000, 'EUR')).toBe('€12,500.00');
  expect(formatMoney(98_050, 'CHF')).toBe('CHF\u00a0980.50'); // Intl puts a no-break space after a code
  expect(formatMoney(12_345, 'JPY')).toBe('JP¥12,345'); // no minor unit: 1 = one yen
  expect(formatMoney(5, 'EUR')).toBe('€0.05');
  expect(formatMoney(-500, 'EUR')).toBe('-€5.00');
});
