/**
 * Wording a lawyer would sign (docs/channels.md, "Legal rules"): consumers get art. 1284 c.c. and no EUR 40; the
 * Italian formal notice is a costituzione in mora (art. 1219 c.c.) that interrupts prescription (art. 2943 c.c.),
 * with art. 1454 c.c. only when the policy asks for a diffida ad adempiere; the delivery ("A mezzo PEC",
 * "Raccomandata A.R."), the named signatory and the term from receipt; the repayment plan as a ricognizione di
 * debito (art. 1988 c.c.), not a novation (art. 1230 c.c.); French and Italian forms of address.
 */
import { renderLetterPdf, type LetterModel } from '../../../activities/channels/letters/render';
import { emailBodies } from '../../../activities/channels/email';
import { renderMessage, type MessageContext } from '../../../activities/channels/messages';
import { computeLateInterest } from '../../../domain/interest';
import { BUNDLED_LEGAL_RATES, BUNDLED_REFERENCE_RATES } from '../../../domain/reference-rates';
import type { Language } from '../../../workflows/contract';
import { SAMPLE_LETTERHEAD, sampleLetter } from '../../fakes/letter-samples';
import { pdfText } from '../../fakes/pdf';

const invoice = {
  number: 'F-1',
  issueDate: '2026-05-01',
  dueDate: '2026-05-31',
  amountMinor: 100_000,
  balanceMinor: 100_000,
};

function ctxFor(over: Partial<MessageContext> & { lang: Language }): MessageContext {
  const consumer = over.consumer ?? false;
  const currency = over.currency ?? 'EUR';
  // 31 May 2026 is a Sunday: the term ends Monday 1 June, interest runs from 2 June (art. 1187 c.c.).
  const r = computeLateInterest({
    principalMinor: 100_000,
    dueDate: invoice.dueDate,
    asOf: '2026-07-15',
    currency,
    consumer,
    referenceRates: BUNDLED_REFERENCE_RATES,
    legalRates: BUNDLED_LEGAL_RATES,
  });
  return {
    template: 'formal-notice',
    company: { name: 'Acme S.p.A.', email: 'crediti@acme.example', iban: 'IT60X0542811101000000123456' },
    customerName: consumer ? 'Mario Rossi' : 'Rossi S.r.l.',
    consumer,
    currency,
    invoices: [invoice],
    balanceMinor: 100_000,
    reference: 'SEG-TEST0001',
    today: '2026-07-15',
    deadline: '2026-07-30',
    interest: {
      interestMinor: r.interestMinor,
      compensationMinor: r.compensationMinor,
      compensationEurMinor: r.compensationEurMinor,
      totalMinor: r.totalMinor,
      asOf: '2026-07-15',
      provisional: r.provisional,
    },
    ...over,
  };
}
const text = (ctx: MessageContext): string => {
  const m = renderMessage(ctx);
  return [m.title, m.delivery ?? '', m.salutation, ...m.intro, ...m.outro, m.signature].join('\n');
};

describe('consumers (B2C): art. 1284 c.c., no EUR 40, no D.Lgs. 231/2002', () => {
  it.each(['it', 'en', 'fr'] as const)('%s formal notice', (lang) => {
    const t = text(ctxFor({ lang, consumer: true }));
    expect(t).toMatch(/1284/);
    expect(t).not.toMatch(/231\/2002|2011\/7|BCE|ECB|40,00|€40|forfett|forfait|fixed compensation/i);
  });

  it('the letter has no EUR 40 column and no "Spett.le" before a person', async () => {
    const ctx = ctxFor({ lang: 'it', consumer: true });
    const base = sampleLetter('formal-notice', 'it');
    const model: LetterModel = {
      ...base,
      recipient: { ...base.recipient, name: 'Mario Rossi', consumer: true, vatNumber: null },
      interest: {
        asOf: '2026-07-15',
        lines: [
          {
            invoiceNumber: 'F-1',
            from: '2026-06-02',
            to: '2026-07-15',
            days: 44,
            ratesBp: [160],
            interestMinor: 193,
            compensationMinor: 0,
          },
        ],
        interestMinor: 193,
        compensationMinor: 0,
      },
      message: renderMessage(ctx),
    };
    const pdf = pdfText(await renderLetterPdf(model));
    expect(pdf).toContain('Interessi moratori al saggio legale (artt. 1224 e 1284 c.c.)');
    expect(pdf).not.toMatch(/Forfettario|231\/2002|Spett\.le/);
    expect(pdf).toContain('Gentile Mario Rossi,');
  });
});

describe('the Italian formal notice', () => {
  it('is a costituzione in mora: artt. 1219 and 2943 c.c., no art. 1454 c.c., term from receipt', () => {
    const t = text(ctxFor({ lang: 'it' }));
    expect(t).toMatch(/art\. 1219 c\.c\./);
    expect(t).toMatch(/art\. 2943 c\.c\./);
    expect(t).not.toMatch(/1454|diffid/i);
    expect(t).toContain('entro quindici giorni dal ricevimento della presente');
    expect(t).toContain('Egregi Signori,');
  });

  it('cites art. 1454 c.c. with its termination clause only when the policy asks for a diffida ad adempiere', () => {
    const t = text(ctxFor({ lang: 'it', diffidaAdAdempiere: true }));
    expect(t).toMatch(/^Diffida ad adempiere e costituzione in mora/);
    expect(t).toContain('artt. 1219 e 1454 c.c.');
    expect(t).toContain('il contratto s’intenderà risolto di diritto ai sensi dell’art. 1454 c.c.');
  });

  it('says how it travels and who signs it, in the letter and in the e-mail', async () => {
    const ctx = ctxFor({
      lang: 'it',
      delivery: 'PEC',
      signatory: { name: 'Maria Bianchi', role: 'Responsabile Ufficio Crediti' },
    });
    const msg = renderMessage(ctx);
    expect(msg.delivery).toBe('A mezzo PEC');
    expect(msg.signature).toBe('Maria Bianchi\nResponsabile Ufficio Crediti\nUfficio Crediti – Acme S.p.A.');
    expect(emailBodies(msg, ctx).text).toMatch(/^A mezzo PEC\n/);
    const pdf = pdfText(await renderLetterPdf({ ...sampleLetter('formal-notice', 'it'), message: msg }));
    expect(pdf).toContain('A mezzo PEC');
    expect(pdf).toContain('Maria Bianchi Responsabile Ufficio Crediti');
    expect(renderMessage({ ...ctx, delivery: 'RACCOMANDATA_AR' }).delivery).toBe('Raccomandata A.R.');
  });

  it('states the EUR 40 per invoice and in total', () => {
    const base = sampleLetter('formal-notice', 'it');
    expect(base.message.outro.join(' ')).toContain('40,00\u00a0€ per fattura, in totale 80,00\u00a0€');
  });
});

describe('non-EUR invoices: the EUR 40 in euro, never "$0.00"', () => {
  it.each(['it', 'en', 'fr'] as const)('%s', (lang) => {
    const ctx = ctxFor({ lang, currency: 'USD' });
    expect(ctx.interest).toMatchObject({ compensationMinor: 0, compensationEurMinor: 4000 });
    const msg = renderMessage(ctx);
    const body = emailBodies(msg, ctx).text;
    const forty = { it: '40,00\u00a0€', en: '€40.00', fr: '40,00\u00a0€' }[lang];
    expect(text(ctx)).toContain(forty);
    expect(body).toContain(forty);
    expect(body).not.toMatch(/\$0\.00|(^|[^\d\s.,])\s?0,00\s\$/m);
  });
});

describe('provisional rates: every text that shows interest says so and names the rate used', () => {
  it.each([
    ['it', /Importo degli interessi provvisorio.*1° luglio 2026.*1° gennaio 2026 \(2,15\s?% \+ 8 punti = 10,15\s?%\)/],
    ['en', /Provisional interest figure.*1 July 2026.*1 January 2026 is applied \(2\.15% \+ 8 points = 10\.15%\)/],
    [
      'fr',
      /Montant des intérêts provisoire.*1er juillet 2026.*1er janvier 2026 est appliqué \(2,15\s?% \+ 8 points = 10,15\s?%\)/,
    ],
  ] as const)('%s', (lang, re) => {
    const ctx = ctxFor({ lang });
    expect(ctx.interest?.provisional).toEqual([
      { periodStart: '2026-07-01', usedFrom: '2026-01-01', rateBp: 215, kind: 'reference' },
    ]);
    expect(renderMessage(ctx).outro.join(' ')).toMatch(re);
  });
});

describe('the repayment plan as a ricognizione di debito (art. 1988 c.c.)', () => {
  it.each([
    [
      'it',
      [
        'art. 1988 c.c.',
        'non costituisce novazione',
        'interessi moratori',
        '40 €',
        'decadenza dal beneficio del termine',
      ],
    ],
    ['en', ['Art. 1988', 'not a novation', 'late-payment interest', '€40', 'benefit of the term']],
    ['fr', ['art. 1988', 'ne vaut pas novation', 'intérêts de retard', '40 €', 'déchéance du terme']],
  ] as const)('%s', (lang, needles) => {
    const t = sampleLetter('repayment-plan', lang).message.outro.join(' ');
    for (const n of needles) expect(t).toContain(n);
  });
});

describe('French forms', () => {
  it('capital after "Madame, Monsieur,", no name after it, no repeated "Échéance" header', async () => {
    const b2c = renderMessage(ctxFor({ lang: 'fr', consumer: true, template: 'reminder-1' }));
    expect(b2c.salutation).toBe('Madame, Monsieur,');
    expect(b2c.intro[0]).toMatch(/^Sauf erreur de notre part/);
    const pdf = pdfText(await renderLetterPdf(sampleLetter('repayment-plan', 'fr')));
    expect(pdf).toContain('Versement Échéance Montant');
    expect(pdf).not.toMatch(/Échéance\s+Échéance/);
    expect(pdf).toContain(SAMPLE_LETTERHEAD.name);
  });
});
