/**
 * Every letter template in every language renders to a PDF whose text (pdftotext) carries the heading, the
 * parties, the invoices, the totals, the payment instructions and the reference; one PNG per template is written
 * with pdftoppm to SEGUGIO_LETTER_PREVIEW_DIR (default: the OS temp dir) for a human to look at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderLetterPdf } from '../../../activities/channels/letters/render';
import { LANGUAGES } from '../../../workflows/contract';
import { ALL_TEMPLATES, SAMPLE_LETTERHEAD, sampleLetter } from '../../fakes/letter-samples';
import { hasPoppler, pdfText, pdfToPng } from '../../fakes/pdf';

const previewDir = process.env.SEGUGIO_LETTER_PREVIEW_DIR ?? path.join(os.tmpdir(), 'segugio-letter-previews');

const HEADINGS: Record<string, Record<string, string>> = {
  courtesy: { it: 'Avviso di cortesia', en: 'Courtesy notice', fr: 'Rappel amiable' },
  'reminder-1': { it: 'Sollecito di pagamento', en: 'Payment reminder', fr: 'Relance de paiement' },
  'reminder-2': {
    it: 'Secondo sollecito di pagamento',
    en: 'Second payment reminder',
    fr: 'Deuxième relance de paiement',
  },
  call: { it: 'Richiesta di contatto', en: 'Request for contact', fr: 'Demande de contact' },
  'repayment-plan': {
    it: 'Piano di rientro e riconoscimento di debito',
    en: 'Repayment plan and acknowledgment of debt',
    fr: 'Échéancier de paiement et reconnaissance de dette',
  },
  // Without the policy's diffidaAdAdempiere the Italian notice is a costituzione in mora only (no art. 1454 c.c.).
  'formal-notice': {
    it: 'Costituzione in mora',
    en: 'Formal notice of default and demand for payment',
    fr: 'Mise en demeure de payer',
  },
  'order-block': { it: 'Sospensione delle forniture', en: 'Suspension of deliveries', fr: 'Suspension des livraisons' },
};
const TOTAL: Record<string, string> = { it: '14.500,50 €', en: '€14,500.50', fr: '14 500,50 €' };

beforeAll(() => {
  if (!hasPoppler()) throw new Error('pdftotext/pdftoppm missing: run scripts/setup.sh (installs poppler-utils)');
  fs.mkdirSync(previewDir, { recursive: true });
});

describe.each(ALL_TEMPLATES.map((t) => [t]))('letter %s', (template) => {
  it.each(LANGUAGES.map((l) => [l]))('renders in %s with all its parts', async (lang) => {
    const model = sampleLetter(template, lang);
    const pdf = await renderLetterPdf(model);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain(HEADINGS[template][lang]);
    expect(text).toContain(SAMPLE_LETTERHEAD.name);
    expect(text).toContain('Via dei Fonditori 12');
    expect(text).toContain(SAMPLE_LETTERHEAD.vat);
    expect(text).toContain('Rossi Costruzioni S.r.l.');
    expect(text).toContain('20121 Milano (MI)');
    expect(text).toContain('FT-2025/0142');
    expect(text).toContain('FT-2025/0188');
    expect(text).toContain(TOTAL[lang]);
    expect(text).toContain(SAMPLE_LETTERHEAD.iban);
    expect(text).toContain('SEG-7F3A9C');
    if (model.interest) {
      expect(text).toContain({ it: '10,15', en: '10.15', fr: '10,15' }[lang]);
      // 14,500.50 + 261.23 + 29.43 interest (77 and 46 days at 10.15 %) + 2 × 40.00
      expect(text).toContain({ it: '14.871,16 €', en: '€14,871.16', fr: '14 871,16 €' }[lang]);
      expect(text).toContain({ it: '261,23 €', en: '€261.23', fr: '261,23 €' }[lang]);
    }
    if (model.plan) expect(text).toContain({ it: '4.833,50 €', en: '€4,833.50', fr: '4 833,50 €' }[lang]);
    if (lang === LANGUAGES[ALL_TEMPLATES.indexOf(template) % LANGUAGES.length]) {
      pdfToPng(pdf, path.join(previewDir, `${template}-${lang}`));
      expect(fs.existsSync(path.join(previewDir, `${template}-${lang}-1.png`))).toBe(true);
    }
  });
});

it('prints a logo when LETTERHEAD_LOGO points at a PNG', async () => {
  // 1×1 PNG
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAcCBlCwAAAABJRU5ErkJggg==',
    'base64',
  );
  const logo = path.join(os.tmpdir(), `segugio-logo-${process.pid}.png`);
  fs.writeFileSync(logo, png);
  const model = sampleLetter('reminder-1', 'it');
  const withLogo = await renderLetterPdf({ ...model, letterhead: { ...model.letterhead, logoPath: logo } });
  const without = await renderLetterPdf(model);
  expect(withLogo.toString('latin1')).toContain('/Subtype /Image');
  expect(without.toString('latin1')).not.toContain('/Subtype /Image');
});
