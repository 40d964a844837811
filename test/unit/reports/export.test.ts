/** CSV and chart output details that a reader or a spreadsheet would trip on. */
import { barChart, compact, lineChart, niceMax } from '../../../contexts/reports/charts';
import ExcelJS from 'exceljs';
import { toCsv, toXlsx, type Table } from '../../../contexts/reports/export';

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

test('CSV and XLSX for a person: localized headers, money in major units; ; and a decimal comma for it and fr', async () => {
  const t: Table = {
    title: 'Pipeline by stage',
    columns: [
      { key: 'group', header: 'group', kind: 'text' },
      { key: 'stage', header: 'Stage', kind: 'text' },
      { key: 'balanceMinor', header: 'Balance', kind: 'money' },
      { key: 'share', header: 'Share %', kind: 'pct' },
      { key: 'd1_30_balance', header: '1–30 balance', kind: 'money' },
    ],
    rows: [{ group: 'TOTAL', stage: 'REMINDER', balanceMinor: 1_250_050, share: 12.5, d1_30_balance: -100 }],
  };
  expect(toCsv(t, { lang: 'it', currency: 'EUR' })).toBe(
    '\ufeffGruppo;Fase;Residuo;Quota %;1–30 gg residuo\r\nTOTALE;REMINDER;12500,50;12,5;-1,00\r\n',
  );
  expect(toCsv(t, { lang: 'fr', currency: 'JPY' })).toBe(
    '\ufeffGroupe;Étape;Solde;Part %;1–30 j solde\r\nTOTAL;REMINDER;1250050;12,5;-100\r\n',
  );
  expect(toCsv(t, { lang: 'en', currency: 'EUR' })).toBe(
    '\ufeffgroup,Stage,Balance,Share %,1–30 balance\r\nTOTAL,REMINDER,12500.50,12.5,-1.00\r\n',
  );
  // Without a language the CSV stays for programs: minor units, English headers (unchanged for API clients).
  expect(toCsv(t)).toBe('\ufeffgroup,Stage,Balance,Share %,1–30 balance\r\nTOTAL,REMINDER,1250050,12.5,-100\r\n');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await toXlsx(t, 'EUR', 'it')) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  expect(ws.getRow(1).values).toEqual([
    undefined,
    'Gruppo',
    'Fase',
    'Residuo (EUR)',
    'Quota %',
    '1–30 gg residuo (EUR)',
  ]);
  expect(ws.getRow(2).getCell(3).value).toBe(12500.5);
  expect(ws.getRow(2).getCell(1).value).toBe('TOTALE');
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
