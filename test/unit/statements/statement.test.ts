/**
 * The statement of account (contexts/statements): a worked example computed by hand, the rule that a missing
 * reference rate yields no interest figure, consumers, currencies kept apart, and the PDF in it/en/fr.
 * Law: D.Lgs. 231/2002 as amended by D.Lgs. 192/2012 — art. 4 (interest from the day after the due date, no
 * reminder needed), art. 5 (ECB reference rate of the half-year + 8 points), art. 6 (EUR 40 per invoice); the
 * due date moved by arts. 1187/2963 c.c. when it falls on a Sunday or a holiday.
 */
import { composeStatement, type StatementInput } from '../../../contexts/statements/statement';
import { renderStatementPdf, statementFilename } from '../../../contexts/statements/pdf';
import { BUNDLED_REFERENCE_RATES } from '../../../domain/reference-rates';
import { hasPoppler, pdfQrCodes, pdfText } from '../../fakes/pdf';

const letterhead = {
  name: 'Segugio S.r.l.',
  addressLines: ['Via Roma 1', '20121 Milano (MI)'],
  vat: 'IT00000000000',
  iban: 'IT60X0542811101000000123456',
  bic: 'BPMOIT22XXX',
  email: 'crediti@segugio.example',
};
const customer = {
  id: 'c1',
  externalId: 'CUST-1',
  name: 'Rossi Forniture S.p.A.',
  vatNumber: 'IT01234567890',
  pec: 'rossi@pec.example',
  email: 'amministrazione@rossi.example',
  addressLines: ['Via Verdi 3', '10121 Torino (TO)'],
  consumer: false,
  language: 'it' as const,
};

/** H1 2026: ECB reference rate 2.15 % (the bundled, verified value), so the statutory rate is 10.15 %. */
const H1_2026 = [{ validFrom: '2026-01-01', rateBp: 215 }];

function input(over: Partial<StatementInput> = {}): StatementInput {
  return {
    asOf: '2026-06-30',
    generatedAt: '2026-06-30T08:00:00.000Z',
    customer,
    creditor: letterhead,
    referenceRates: H1_2026,
    invoices: [
      {
        // Due Monday 16 Feb 2026; EUR 400 paid on 18 Mar (applied): EUR 600 still open.
        id: 'i1',
        number: 'F-1',
        currency: 'EUR',
        amountMinor: 100_000,
        balanceMinor: 60_000,
        issueDate: '2026-01-15',
        dueDate: '2026-02-16',
        stage: 'REMINDER',
        payments: [{ reference: 'P-1', amountMinor: 40_000, paidOn: '2026-03-18', applied: true }],
        adjustments: [],
      },
      {
        // Not yet due; a credit note of EUR 100.
        id: 'i2',
        number: 'F-2',
        currency: 'EUR',
        amountMinor: 50_000,
        balanceMinor: 40_000,
        issueDate: '2026-06-01',
        dueDate: '2026-07-31',
        stage: 'OPEN',
        payments: [],
        adjustments: [{ reference: 'NC-1', kind: 'CREDIT_NOTE', amountMinor: 10_000, date: '2026-06-10' }],
      },
      {
        // Due Friday 29 May 2026; EUR 50 received on 29 June, not yet applied to the balance.
        id: 'i3',
        number: 'F-3',
        currency: 'EUR',
        amountMinor: 20_000,
        balanceMinor: 20_000,
        issueDate: '2026-04-29',
        dueDate: '2026-05-29',
        stage: 'REMINDER',
        payments: [{ reference: 'P-9', amountMinor: 5_000, paidOn: '2026-06-29', applied: false }],
        adjustments: [],
      },
      {
        // Paid with EUR 25 too much: a credit in the customer's favour.
        id: 'i0',
        number: 'F-0',
        currency: 'EUR',
        amountMinor: 30_000,
        balanceMinor: 0,
        issueDate: '2025-12-01',
        dueDate: '2025-12-31',
        stage: 'PAID',
        payments: [{ reference: 'P-0', amountMinor: 32_500, paidOn: '2026-01-05', applied: true }],
        adjustments: [],
      },
    ],
    ...over,
  };
}

describe('statement of account: worked example (as of 30 June 2026)', () => {
  const st = composeStatement(input());
  const eur = st.sections[0];

  it('lists the open items with a running balance, then unmatched payments and credits', () => {
    // F-1 +1,000.00 → 1,000.00; P-1 −400.00 → 600.00; F-3 +200.00 → 800.00; F-2 +500.00 → 1,300.00;
    // NC-1 −100.00 → 1,200.00; P-9 (unmatched) −50.00 → 1,150.00; credit of F-0 (325 − 300) −25.00 → 1,125.00.
    expect(eur.lines.map((l) => [l.kind, l.reference, l.debitMinor, l.creditMinor, l.balanceMinor])).toEqual([
      ['INVOICE', 'F-1', 100_000, 0, 100_000],
      ['PAYMENT', 'P-1', 0, 40_000, 60_000],
      ['INVOICE', 'F-3', 20_000, 0, 80_000],
      ['INVOICE', 'F-2', 50_000, 0, 130_000],
      ['CREDIT_NOTE', 'NC-1', 0, 10_000, 120_000],
      ['UNMATCHED_PAYMENT', 'P-9', 0, 5_000, 115_000],
      ['CREDIT', 'F-0', 0, 2_500, 112_500],
    ]);
    expect(eur.totals).toEqual({
      debitMinor: 170_000,
      creditMinor: 57_500,
      balanceMinor: 112_500,
      // F-1 600.00 + F-3 200.00 overdue; F-2 400.00 not yet due.
      overdueMinor: 80_000,
      notDueMinor: 40_000,
    });
  });

  it('counts days overdue from the due date', () => {
    // F-1: 16 Feb → 30 Jun = 12 + 31 + 30 + 31 + 30 = 134 days; F-3: 29 May → 30 Jun = 32; F-2 due in 31 days.
    const days = Object.fromEntries(
      eur.lines.filter((l) => l.kind === 'INVOICE').map((l) => [l.reference, [l.daysOverdue, l.status]]),
    );
    expect(days).toEqual({ 'F-1': [134, 'OVERDUE'], 'F-3': [32, 'OVERDUE'], 'F-2': [-31, 'NOT_DUE'] });
  });

  it('adds the statutory interest and EUR 40 per overdue invoice (D.Lgs. 231/2002 arts. 5–6)', () => {
    // Rate 2.15 % + 8 = 10.15 % (1015 bp), days / 365, from the day after the due date to 30 June inclusive.
    // F-1: 17 Feb–18 Mar 30 d on 1,000.00 (the payment day still accrues), 19 Mar–30 Jun 104 d on 600.00:
    //   (100,000 × 1015 × 30 + 60,000 × 1015 × 104) / 3,650,000 = 9,378,600,000 / 3,650,000 = 2,569.48 → 2,569
    // F-3: 30 May–29 Jun 31 d on 200.00, 30 Jun 1 d on 150.00 (P-9 received on 29 June stops the accrual on it):
    //   (20,000 × 1015 × 31 + 15,000 × 1015 × 1) / 3,650,000 = 644,525,000 / 3,650,000 = 176.58 → 177
    // F-2 is not due: nothing. Interest 25.69 + 1.77 = 27.46; compensation 2 × 40.00 = 80.00;
    // total due 1,125.00 + 27.46 + 80.00 = 1,232.46.
    const i = eur.interest!;
    expect(i.lines.map((l) => [l.invoiceNumber, l.from, l.to, l.days, l.ratesBp, l.interestMinor])).toEqual([
      ['F-1', '2026-02-17', '2026-06-30', 134, [1015], 2_569],
      ['F-3', '2026-05-30', '2026-06-30', 32, [1015], 177],
    ]);
    expect(i).toMatchObject({
      interestMinor: 2_746,
      compensationMinor: 8_000,
      compensationEurMinor: 8_000,
      missingRates: [],
      totalDueMinor: 123_246,
    });
  });

  it('names the invoices for the payment reference', () => {
    expect(st.invoiceNumbers).toEqual(['F-1', 'F-3', 'F-2']);
  });
});

describe('statement of account: what is not known is not stated', () => {
  it('gives no interest figure where a half-year reference rate is not entered', () => {
    // As of 15 July 2026 the half-year from 1 July has no rate in this table: F-1's and F-3's interest is unknown,
    // but the EUR 40 per invoice does not depend on a rate and stays.
    const st = composeStatement(input({ asOf: '2026-07-15' }));
    const i = st.sections[0].interest!;
    expect(i.lines.map((l) => [l.invoiceNumber, l.interestMinor, l.missingRates, l.ratesBp])).toEqual([
      ['F-1', null, ['2026-07-01'], [1015]],
      ['F-3', null, ['2026-07-01'], [1015]],
    ]);
    expect(i).toMatchObject({ interestMinor: null, totalDueMinor: null, compensationMinor: 8_000 });
    expect(i.missingRates).toEqual(['2026-07-01']);
  });

  it('computes it once the rate is entered', () => {
    const st = composeStatement(
      input({ asOf: '2026-07-15', referenceRates: [...H1_2026, { validFrom: '2026-07-01', rateBp: 200 }] }),
    );
    const i = st.sections[0].interest!;
    expect(i.missingRates).toEqual([]);
    expect(i.lines[0].ratesBp).toEqual([1015, 1000]);
    expect(i.interestMinor).not.toBeNull();
  });

  it('shows no statutory interest to a consumer (outside D.Lgs. 231/2002)', () => {
    const st = composeStatement(input({ customer: { ...customer, consumer: true } }));
    expect(st.sections[0].interest).toBeNull();
    expect(st.sections[0].totals.balanceMinor).toBe(112_500);
  });

  it('keeps currencies apart, each in its own digits', () => {
    const st = composeStatement(
      input({
        invoices: [
          ...input().invoices,
          {
            id: 'j1',
            number: 'F-JP',
            currency: 'JPY',
            amountMinor: 125_000,
            balanceMinor: 125_000,
            issueDate: '2026-05-01',
            dueDate: '2026-05-31',
            stage: 'REMINDER',
            payments: [],
            adjustments: [],
          },
        ],
      }),
    );
    expect(st.sections.map((s) => [s.currency, s.totals.balanceMinor])).toEqual([
      ['EUR', 112_500],
      ['JPY', 125_000],
    ]);
    // The EUR 40 of a yen invoice is stated in euro (no exchange rate is invented).
    expect(st.sections[1].interest!.lines[0]).toMatchObject({ compensationMinor: 0, compensationEurMinor: 4000 });
  });

  it('adds an adjustment line so that an invoice’s lines add up to its balance', () => {
    // The ERP sent F-4 with a balance of 700.00 on an amount of 1,000.00 (paid elsewhere before intake).
    const st = composeStatement(
      input({
        invoices: [
          {
            id: 'i4',
            number: 'F-4',
            currency: 'EUR',
            amountMinor: 100_000,
            balanceMinor: 70_000,
            issueDate: '2026-06-01',
            dueDate: '2026-07-01',
            stage: 'OPEN',
            payments: [],
            adjustments: [],
          },
        ],
      }),
    );
    expect(st.sections[0].lines.map((l) => [l.kind, l.debitMinor, l.creditMinor, l.balanceMinor])).toEqual([
      ['INVOICE', 100_000, 0, 100_000],
      ['ADJUSTMENT', 0, 30_000, 70_000],
    ]);
  });

  it('has no section when nothing is open', () => {
    expect(composeStatement(input({ invoices: [] })).sections).toEqual([]);
  });

  it('computes with the bundled table too (same module and rates as the letters)', () => {
    const st = composeStatement(input({ referenceRates: BUNDLED_REFERENCE_RATES }));
    expect(st.sections[0].interest!.interestMinor).toBe(2_746);
  });
});

(hasPoppler() ? describe : describe.skip)('statement of account as PDF', () => {
  const st = composeStatement(input());
  it.each([
    [
      'it',
      [
        'Estratto conto al 30 giugno 2026',
        'Rossi Forniture S.p.A.',
        '1.000,00 €',
        '1.125,00 €',
        '25,69 €',
        '1.232,46 €',
        '134',
        '10,15%',
        'Nota di credito NC-1',
        'IT60X0542811101000000123456',
        'F-1, F-3, F-2',
        'Pagina 1/1',
      ],
    ],
    [
      'en',
      [
        'Statement of account as at 30 June 2026',
        '€1,000.00',
        '€1,125.00',
        '€25.69',
        '€1,232.46',
        'Credit note NC-1',
        'Payment received, being matched',
        'Page 1/1',
      ],
    ],
    [
      'fr',
      [
        'Relevé de compte au 30 juin 2026',
        '1 000,00 €',
        '1 125,00 €',
        '25,69 €',
        '1 232,46 €',
        'Avoir NC-1',
        'Page 1/1',
      ],
    ],
  ] as const)('reads back in %s', async (lang, expected) => {
    const pdf = await renderStatementPdf(st, lang, letterhead);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    for (const e of expected) expect(text).toContain(e);
  });

  it('says so instead of a figure when a rate is missing', async () => {
    const text = pdfText(await renderStatementPdf(composeStatement(input({ asOf: '2026-07-15' })), 'it', letterhead));
    expect(text).toContain('non calcolati');
    expect(text).toContain(
      'il tasso di riferimento BCE del semestre che inizia il 1° luglio 2026 non è ancora stato inserito',
    );
    expect(text).not.toContain('Totale dovuto comprensivo di interessi');
  });

  it('sent to the debtor, carries their portal link as a QR code and a short address to type', async () => {
    const portal = { url: 'https://pay.segugio.example/p/k3abcdefghijklmnopqrstuvwx', shortUrl: '' };
    portal.shortUrl = portal.url.replace(/^https:\/\//, '');
    const it = await renderStatementPdf(st, 'it', letterhead, portal);
    const text = pdfText(it);
    expect(text).toContain('La sua pagina personale');
    expect(text).toContain(`Inquadri il codice QR o digiti l’indirizzo: ${portal.shortUrl}`);
    // Wherever the page break falls, one page carries the code, whole.
    expect(pdfQrCodes(it).filter(Boolean)).toEqual([portal.url]);
    expect(pdfText(await renderStatementPdf(st, 'en', letterhead, portal))).toContain(
      `Scan the QR code or type the address: ${portal.shortUrl}`,
    );
    // Without a link (the console's download, or the portal off) there is no such block.
    const plain = await renderStatementPdf(st, 'it', letterhead);
    expect(pdfText(plain)).not.toContain('La sua pagina personale');
    expect(pdfQrCodes(plain).filter(Boolean)).toEqual([]);
  });

  it('names its file in the language', () => {
    expect(statementFilename(st, 'it')).toBe('estratto-conto-CUST-1-2026-06-30.pdf');
  });
});
