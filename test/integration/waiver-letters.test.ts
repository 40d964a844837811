/**
 * A waiver has an effect on the letters (contexts/interest-claims/waivers.ts; remission, art. 1236 c.c.): with the
 * customer's or the policy's waiver in force, the second reminder and the formal notice built from the real database
 * (activities/channels/context.ts → messages → PDF read back with pdftotext) claim none of the waived part.
 *
 * Worked example: EUR 10,000.00 due Tuesday 31 March 2026, letter of 30 June 2026; H1 2026 reference rate 2.15 % + 8
 * points = 10.15 % (D.Lgs. 231/2002 art. 5): 91 days (1 April – 30 June) → 10,000 × 10.15 % × 91 / 365 = EUR 253.05,
 * plus the EUR 40 of art. 6.
 * - no waiver: the notice claims 253,05 € and 40,00 €, total 10.293,05 €;
 * - the customer waives the interest only: no interest line, table, rate or "BCE + 8" note; the EUR 40 alone, total
 *   10.040,00 € (it/en/fr); the second reminder threatens recovery costs only;
 * - the policy waives both (`settings.interestWaiver`): no interest and no EUR 40 anywhere, total 10.000,00 €, and
 *   the second reminder threatens no charge.
 */
import { loadContactData } from '../../activities/channels/context';
import { renderLetterPdf } from '../../activities/channels/letters/render';
import { emailBodies } from '../../activities/channels/email';
import type { TemplateName } from '../../activities/channels/messages';
import { hasPoppler, pdfText } from '../fakes/pdf';
import { as, quietSteps } from './api-helpers';
import { createTestPolicy, secondsSettings, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(120_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const NOW = new Date('2026-06-30T08:00:00Z');

async function invoiceOf(segment: string): Promise<{ invoiceId: string; customerId: string }> {
  const res = await as(h, 'erp')
    .post('/v1/invoices')
    .send({
      number: uniq('FT-WAIVER'),
      customer: { externalId: uniq('CUST'), name: 'Rossi Forniture S.p.A.', language: 'it', segment },
      currency: 'EUR',
      amountMinor: 1_000_000,
      issueDate: '2026-03-01',
      dueDate: '2026-03-31',
    });
  expect(res.status).toBe(201);
  const row = await h.db.invoice.findUniqueOrThrow({ where: { id: res.body.invoiceId as string } });
  return { invoiceId: row.id, customerId: row.customerId };
}

async function letter(inv: { invoiceId: string; customerId: string }, template: TemplateName) {
  const data = await loadContactData(
    { db: h.db, config: h.config },
    { idempotencyKey: uniq('waiver-letter'), customerId: inv.customerId, invoiceIds: [inv.invoiceId], template },
    NOW,
  );
  const pdf = hasPoppler() ? pdfText(await renderLetterPdf(data.letter)) : '';
  const m = data.message;
  const body = [m.title, m.salutation, ...m.intro, ...m.outro].join('\n');
  return { pdf, body, email: emailBodies(m, data.ctx).text };
}

test('without a waiver the formal notice claims the interest and the EUR 40', async () => {
  const inv = await invoiceOf(
    await createTestPolicy(h.db, { name: 'nowaiver', steps: quietSteps, settings: secondsSettings }),
  );
  const { body, pdf } = await letter(inv, 'formal-notice');
  expect(body).toContain('pari a 253,05\u00a0€ maturati al 30 giugno 2026');
  expect(body).toContain('l’importo forfettario di 40,00\u00a0€');
  expect(body).toContain('10.293,05\u00a0€');
  if (pdf) {
    expect(pdf).toContain('Interessi moratori (D.Lgs. 231/2002)');
    expect(pdf).toContain('tasso di riferimento BCE del semestre + 8 punti');
  }
});

test('the customer waives the interest: letters claim the EUR 40 alone, in it/en/fr', async () => {
  const inv = await invoiceOf(
    await createTestPolicy(h.db, { name: 'custwaiver', steps: quietSteps, settings: secondsSettings }),
  );
  const set = await as(h, 'manager')
    .post(`/v1/customers/${inv.customerId}/interest-waivers`)
    .send({ interest: true, compensation: false, fromDate: '2026-01-01', reason: 'long-standing customer' });
  expect(set.status).toBe(201);

  const it = await letter(inv, 'formal-notice');
  expect(it.body).not.toMatch(/253,05|interessi/i);
  expect(it.body).toContain(
    'È inoltre dovuto l’importo forfettario di 40,00\u00a0€ a titolo di risarcimento dei costi di recupero (art. 6 D.Lgs. 231/2002).',
  );
  expect(it.body).toContain('la somma complessiva di 10.040,00\u00a0€');
  expect(it.email).not.toMatch(/Interessi/);
  expect(it.email).toContain('40,00\u00a0€');
  if (hasPoppler()) {
    expect(it.pdf).not.toMatch(/Interessi moratori|BCE|253,05/);
    expect(it.pdf).toContain('Risarcimento forfettario costi di recupero (art. 6 D.Lgs. 231/2002)');
    expect(it.pdf).toContain('10.040,00 €');
  }
  const r2 = await letter(inv, 'reminder-2');
  expect(r2.body).toContain('ad avviare le azioni a tutela del credito, con addebito delle spese di recupero.');
  expect(r2.body).not.toMatch(/interessi/i);

  await h.db.customer.update({ where: { id: inv.customerId }, data: { language: 'en' } });
  const en = await letter(inv, 'formal-notice');
  expect(en.body).not.toMatch(/253\.05|interest/i);
  expect(en.body).toContain(
    'The fixed compensation for recovery costs of €40.00 (Art. 6 Italian D.Lgs. 231/2002) is also due.',
  );
  expect(en.body).toContain('€10,040.00');
  if (hasPoppler()) expect(en.pdf).not.toMatch(/Late-payment interest|ECB/);
  const en2 = await letter(inv, 'reminder-2');
  expect(en2.body).toContain('take steps to recover the debt, together with recovery costs.');

  await h.db.customer.update({ where: { id: inv.customerId }, data: { language: 'fr' } });
  const fr = await letter(inv, 'formal-notice');
  expect(fr.body).not.toMatch(/253,05|intérêts de retard|intérêts moratoires/i);
  expect(fr.body).toContain(
    'S’y ajoute l’indemnité forfaitaire pour frais de recouvrement de 40,00\u00a0€ (art. 6 D.Lgs. 231/2002).',
  );
  if (hasPoppler()) expect(fr.pdf).not.toMatch(/Intérêts de retard|BCE/);
  const fr2 = await letter(inv, 'reminder-2');
  expect(fr2.body).toContain('d’engager le recouvrement de notre créance, majorée des frais de recouvrement.');
});

test('the policy waives interest and the EUR 40: no claim at all', async () => {
  const segment = await createTestPolicy(h.db, {
    name: 'policywaiver',
    steps: quietSteps,
    settings: { ...secondsSettings, interestWaiver: { interest: true, compensation: true } },
  });
  const inv = await invoiceOf(segment);
  const notice = await letter(inv, 'formal-notice');
  // Before the fix: "Sono inoltre dovuti gli interessi moratori ai sensi del D.Lgs. 231/2002 fino al saldo."
  expect(notice.body).not.toMatch(/interessi|231\/2002|forfettario|40,00/i);
  expect(notice.body).toContain('la somma complessiva di 10.000,00\u00a0€');
  expect(notice.body).toContain('art. 1219 c.c.');
  if (hasPoppler()) expect(notice.pdf).not.toMatch(/Interessi|Risarcimento forfettario|BCE/);
  const r2 = await letter(inv, 'reminder-2');
  expect(r2.body).toContain('ad avviare le azioni a tutela del credito.');
  expect(r2.body).not.toMatch(/addebito/);
});
