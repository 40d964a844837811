/**
 * The interest debit note's PDF (contexts/interest-claims/pdf.ts) in it, en and fr, read back with pdftotext:
 * headings, the legal basis — D.Lgs. 231/2002 arts. 4 and 5 (ECB reference rate + 8 points) and art. 6 (EUR 40) for
 * businesses, art. 1284 c.c. (legal rate, no EUR 40) for consumers — the calendar rule (arts. 1187 and 2963 c.c.),
 * money in the currency's own digits and dates in the language's locale, and no text of another language.
 *
 * Worked example (as test/unit/interest-claims/note.test.ts): EUR 10,000.00 due Sunday 1 March 2026 → Monday 2 March,
 * paid 1 April 2026: 30 days at 10.15 % (2.15 % + 8) = EUR 83.42, plus EUR 40 → EUR 123.42. Consumer: the same at the
 * 2026 legal rate of 1.60 % = EUR 13.15, no EUR 40. Yen: ¥1,000,000 → ¥8,342 and the EUR 40 stated in euro apart.
 */
import { composeNote, type ClaimInvoice, type NoteInput } from '../../../contexts/interest-claims/note';
import { renderNotePdf, noteFilename, type NoteDocument } from '../../../contexts/interest-claims/pdf';
import { BUNDLED_LEGAL_RATES, BUNDLED_REFERENCE_RATES } from '../../../domain/reference-rates';
import type { Language } from '../../../workflows/contract';
import { SAMPLE_LETTERHEAD } from '../../fakes/letter-samples';
import { hasPoppler, pdfText } from '../../fakes/pdf';

const paidLate: ClaimInvoice = {
  id: 'a',
  number: 'FT-A',
  currency: 'EUR',
  amountMinor: 1_000_000,
  balanceMinor: 0,
  dueDate: '2026-03-01',
  stage: 'PAID',
  payments: [{ amountMinor: 1_000_000, paidOn: '2026-04-01', applied: true }],
};

function doc(lang: Language, over: Partial<NoteInput> = {}, consumer = false): NoteDocument {
  const note = composeNote({
    asOf: '2026-06-30',
    currency: 'EUR',
    consumer,
    invoices: [paidLate],
    prior: new Map(),
    referenceRates: BUNDLED_REFERENCE_RATES,
    legalRates: BUNDLED_LEGAL_RATES,
    ...over,
  });
  return {
    number: 'ND-2026-000001',
    issueDate: '2026-06-30',
    language: lang,
    customer: {
      id: 'c1',
      externalId: 'CUST-1',
      name: consumer ? 'Mario Rossi' : 'Ferramenta Lombarda S.r.l.',
      vatNumber: consumer ? null : 'IT01234567890',
      pec: null,
      addressLines: ['Via Verdi 3', '10121 Torino (TO)'],
      consumer,
    },
    creditor: { name: SAMPLE_LETTERHEAD.name, iban: SAMPLE_LETTERHEAD.iban, email: SAMPLE_LETTERHEAD.email },
    note,
  };
}

const text = async (d: NoteDocument): Promise<string> => pdfText(await renderNotePdf(d, SAMPLE_LETTERHEAD));
const maybe = hasPoppler() ? test : test.skip;

const EXPECTED: Record<Language, { has: string[]; not: RegExp }> = {
  it: {
    has: [
      'Nota di debito per interessi moratori',
      'Nota di debito n. ND-2026-000001',
      'Data: 30 giugno 2026',
      'Spett.le',
      'Fattura',
      'Scadenza',
      'Giorni di ritardo',
      'scadenza spostata al 02/03/2026 (giorno non lavorativo)',
      '10,15%',
      '83,42 €',
      '40,00 €',
      'Totale da pagare 123,42 €',
      'ai sensi del D.Lgs. 9 ottobre 2002, n. 231',
      'artt. 4 e 5 del D.Lgs. 231/2002',
      'maggiorato di 8 punti percentuali',
      '(art. 6)',
      'artt. 1187 e 2963 c.c.',
      'Modalità di pagamento',
      'Pagina 1/1',
    ],
    not: /Due date|Invoice|Interest\b|Échéance|Facture|Total to pay|Page 1/,
  },
  en: {
    has: [
      'Late-payment interest debit note',
      'Debit note no. ND-2026-000001',
      'Date: 30 June 2026',
      'Dear Customer, Under Italian Legislative Decree no. 231 of 9 October 2002 (EU Directive 2011/7/EU)',
      'Invoice',
      'Due date',
      'Days late',
      'due date moved to 02/03/2026 (non-business day)',
      '10.15%',
      '€83.42',
      '€40.00',
      'Total to pay €123.42',
      'arts. 4 and 5 of Legislative Decree 231/2002',
      'plus 8 percentage points',
      'fixed sum of EUR 40 per invoice',
      'arts. 1187 and 2963 of the Italian Civil Code',
      'How to pay',
      'Page 1/1',
    ],
    not: /Spett\.le|Scadenza|Fattura|Interessi|Totale|Échéance|Facture|Pagina/,
  },
  fr: {
    has: [
      'Note de débit d’intérêts de retard',
      'Note de débit n° ND-2026-000001',
      'Date : 30 juin 2026',
      'Madame, Monsieur, En application du décret législatif italien n° 231 du 9 octobre 2002 (directive 2011/7/UE)',
      'Facture',
      'Échéance',
      'Jours de retard',
      'échéance reportée au 02/03/2026 (jour non ouvrable)',
      '83,42 €',
      '40,00 €',
      'Total à payer 123,42 €',
      'articles 4 et 5 du décret législatif 231/2002',
      'majoré de 8 points de pourcentage',
      'art. 1187 et 2963 du Code civil italien',
      'Modalités de paiement',
      'Page 1/1',
    ],
    not: /Spett\.le|Scadenza|Fattura|Interessi|Totale|Due date|Invoice|Total to pay|Pagina/,
  },
};

describe.each(['it', 'en', 'fr'] as const)('%s', (lang) => {
  maybe('a business: D.Lgs. 231/2002 arts. 4–6, the moved due date, the figures', async () => {
    const t = await text(doc(lang));
    for (const s of EXPECTED[lang].has) expect(t).toContain(s);
    expect(t).not.toMatch(EXPECTED[lang].not);
    expect(t).not.toMatch(/1284/);
  });

  maybe('a consumer: art. 1284 c.c. at 1.60 %, no EUR 40 and no D.Lgs. 231/2002', async () => {
    const t = await text(doc(lang, {}, true));
    expect(t).toMatch(/1284/);
    expect(t).toContain({ it: '13,15 €', en: '€13.15', fr: '13,15 €' }[lang]);
    expect(t).toContain({ it: '1,60%', en: '1.60%', fr: '1,60 %' }[lang]);
    expect(t).not.toMatch(/231\/2002|n\. 231|no\. 231|n° 231|40,00|€40|EUR 40|40 euro|forfett|Fixed sum|forfaitaire/i);
    expect(t).not.toContain('Spett.le');
  });

  maybe('yen: no minor digits, the EUR 40 stated in euro outside the total', async () => {
    const jpy = { ...paidLate, id: 'j', number: 'FT-J', currency: 'JPY' };
    const t = await text(doc(lang, { currency: 'JPY', invoices: [jpy] }));
    // The locale's own way of writing yen (Intl: "JPY" in Italian and French), never with minor digits.
    const yen = { it: '8.342 JPY', en: '¥8,342', fr: '8 342 JPY' }[lang];
    expect(t).toContain(yen);
    expect(t).not.toMatch(/83[.,]42|8[.,\s]?342[.,]00/);
    // The EUR 40 in euro in the totals as well: never "0 JPY" (issue 13: not "EUR 40 … $0.00").
    const forty = { it: '40,00 €', en: '€40.00', fr: '40,00 €' }[lang];
    // In the line, in the totals and in the sentence below them.
    expect(t.split(forty).length - 1).toBe(3);
    expect(t).not.toMatch(/(^|\s)(0 JPY|¥0)(\s|$)/);
    expect(t).toContain(
      {
        it: 'Importo forfettario di 40,00 €, dovuto in euro (art. 6 D.Lgs. 231/2002), non compreso nel totale.',
        en: 'Fixed sum of €40.00, due in euro (art. 6 Legislative Decree 231/2002), not included in the total.',
        fr: 'Indemnité forfaitaire de 40,00 €, due en euros (art. 6 du décret législatif 231/2002), non comprise dans le total.',
      }[lang],
    );
  });
});

test('the file name in the note’s language', () => {
  expect(noteFilename(doc('it'))).toBe('nota-di-debito-ND-2026-000001.pdf');
  expect(noteFilename(doc('en'))).toBe('debit-note-ND-2026-000001.pdf');
  expect(noteFilename(doc('fr'))).toBe('note-de-debit-ND-2026-000001.pdf');
});
