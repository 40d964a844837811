/** Sample letters of every template, for the rendering tests and the PNG previews. */
import type { Language } from '../../workflows/contract';
import { addDays } from '../../activities/channels/format';
import { renderMessage, TEMPLATES, type TemplateName } from '../../activities/channels/messages';
import type { LetterModel } from '../../activities/channels/letters/render';
import { computeLateInterest } from '../../domain/interest';
import { BUNDLED_REFERENCE_RATES } from '../../domain/reference-rates';

export const SAMPLE_LETTERHEAD = {
  name: 'Acciaierie Brambilla S.p.A.',
  addressLines: ['Via dei Fonditori 12', '25121 Brescia (BS)', 'Italia'],
  vat: 'IT01234567890',
  iban: 'IT60X0542811101000000123456',
  bic: 'BPMOIT22XXX',
  email: 'crediti@brambilla.example',
  phone: '+39 030 1234567',
  pec: 'amministrazione@pec.brambilla.example',
};

export function sampleLetter(template: TemplateName, lang: Language): LetterModel {
  const today = '2025-09-15';
  const invoices = [
    {
      number: 'FT-2025/0142',
      issueDate: '2025-05-02',
      dueDate: '2025-06-30',
      amountMinor: 1_220_000,
      balanceMinor: 1_220_000,
    },
    {
      number: 'FT-2025/0188',
      issueDate: '2025-06-10',
      dueDate: '2025-07-31',
      amountMinor: 480_050,
      balanceMinor: 230_050,
    },
  ];
  const balanceMinor = invoices.reduce((s, i) => s + i.balanceMinor, 0);
  const interest =
    template === 'formal-notice' || template === 'reminder-2' || template === 'order-block'
      ? (() => {
          const lines = invoices.map((inv) => {
            const r = computeLateInterest({
              principalMinor: inv.balanceMinor,
              dueDate: inv.dueDate,
              asOf: today,
              currency: 'EUR',
              referenceRates: BUNDLED_REFERENCE_RATES,
            });
            return {
              invoiceNumber: inv.number,
              from: r.periods[0].from,
              to: today,
              days: r.days,
              ratesBp: [...new Set(r.periods.map((p) => p.rateBp))],
              interestMinor: r.interestMinor,
              compensationMinor: r.compensationMinor,
            };
          });
          return {
            asOf: today,
            lines,
            interestMinor: lines.reduce((t, l) => t + l.interestMinor, 0),
            compensationMinor: lines.reduce((t, l) => t + l.compensationMinor, 0),
          };
        })()
      : undefined;
  const plan =
    template === 'repayment-plan'
      ? {
          instalments: [
            { dueDate: '2025-10-15', amountMinor: 483_350 },
            { dueDate: '2025-11-15', amountMinor: 483_350 },
            { dueDate: '2025-12-15', amountMinor: 483_350 },
          ],
        }
      : undefined;
  const message = renderMessage({
    lang,
    template,
    company: {
      name: SAMPLE_LETTERHEAD.name,
      email: SAMPLE_LETTERHEAD.email,
      phone: SAMPLE_LETTERHEAD.phone,
      iban: SAMPLE_LETTERHEAD.iban,
    },
    customerName: 'Rossi Costruzioni S.r.l.',
    consumer: false,
    currency: 'EUR',
    invoices,
    balanceMinor,
    reference: 'SEG-7F3A9C',
    today,
    deadline: addDays(today, template === 'formal-notice' ? 15 : 10),
    interest: interest && { ...interest, totalMinor: interest.interestMinor + interest.compensationMinor },
    plan: plan && { ...plan, graceDays: 5 },
  });
  return {
    lang,
    template,
    reference: 'SEG-7F3A9C',
    date: today,
    letterhead: SAMPLE_LETTERHEAD,
    recipient: {
      name: 'Rossi Costruzioni S.r.l.',
      lines: ['Via Garibaldi 45', '20121 Milano (MI)', 'Italia'],
      vatNumber: 'IT09876543210',
      pec: template === 'formal-notice' ? 'rossi@pec.example' : null,
    },
    currency: 'EUR',
    invoices,
    balanceMinor,
    interest,
    plan,
    message,
  };
}

export const ALL_TEMPLATES = TEMPLATES;
