/** CSV and chart output details that a reader or a spreadsheet would trip on. */
import { barChart, compact, lineChart, niceMax } from '../../../contexts/reports/charts';
import { toCsv, type Table } from '../../../contexts/reports/export';

test('CSV quotes, escapes and defuses formulas', () => {
  const t: Table = {
    title: 't',
    columns: [
      { key: 'a', header: 'Name', kind: 'text' },
      { key: 'b', header: 'Amount', kind: 'money' },
    ],
    rows: [
      { a: 'Rossi, "Bianchi" & C.', b: 1234 },
      { a: '=HYPERLINK("x")', b: null },
    ],
  };
  expect(toCsv(t)).toBe('\ufeffName,Amount\r\n"Rossi, ""Bianchi"" & C.",1234\r\n"\'=HYPERLINK(""x"")",\r\n');
});

test('axis helpers', () => {
  expect([0, 7, 12, 180, 2600, 7_700_000].map(niceMax)).toEqual([1, 10, 20, 200, 5000, 10_000_000]);
  expect([950, 1500, 35_000, 1_250_000, 12_000_000].map(compact)).toEqual(['950', '1.5k', '35k', '1.3M', '12M']);
});

test('charts are self-contained SVG with escaped labels', () => {
  const bar = barChart({ labels: ['<30', '>180'], values: [10, 20] });
  expect(bar.startsWith('<svg')).toBe(true);
  expect(bar).toContain('&lt;30');
  expect(bar).not.toContain('<30<');
  const line = lineChart({ labels: ['a', 'b', 'c'], series: [{ name: 'DSO', values: [1, null, 3] }] });
  expect(line).toContain('<polyline');
  expect((line.match(/<circle/g) ?? []).length).toBe(2);
});
