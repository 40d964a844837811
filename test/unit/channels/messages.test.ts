import { gsmFriendly, renderMessage, resolveTemplate, TEMPLATES } from '../../../activities/channels/messages';
import { LANGUAGES } from '../../../workflows/contract';
import { sampleLetter } from '../../fakes/letter-samples';
import { sayTwiml, bridgeTwiml } from '../../../activities/channels/providers/twilio';
import { buildEml } from '../../../activities/channels/outbox';

describe('templates', () => {
  it('resolves names and aliases', () => {
    expect(resolveTemplate('reminder')).toBe('reminder-1');
    expect(resolveTemplate('diffida')).toBe('formal-notice');
    expect(resolveTemplate('Formal-Notice')).toBe('formal-notice');
    expect(resolveTemplate('nonsense')).toBeNull();
  });

  it.each(TEMPLATES.flatMap((t) => LANGUAGES.map((l) => [t, l] as const)))('%s/%s has every text', (t, l) => {
    const ctx = sampleLetter(t, l).message;
    for (const v of [ctx.subject, ctx.title, ctx.salutation, ctx.closing, ctx.signature, ctx.sms, ctx.voice]) {
      expect(v.length).toBeGreaterThan(3);
      expect(v).not.toMatch(/undefined|NaN|\[object/);
    }
    expect(ctx.intro.length + ctx.outro.length).toBeGreaterThan(1);
    expect(ctx.sms).not.toMatch(/[\u00a0\u202f\u2019\u2013]/);
  });

  it('keeps SMS in GSM-friendly characters', () => {
    expect(gsmFriendly('l’importo di 1\u202f200,00\u00a0€ – ok')).toBe("l'importo di 1 200,00 € - ok");
  });

  it('states the fixed compensation only for businesses', () => {
    const base = sampleLetter('formal-notice', 'it');
    expect(base.message.outro[0]).toContain('80,00\u00a0€');
    const consumerCtx = renderMessage({
      lang: 'it',
      template: 'formal-notice',
      company: { name: 'X', email: 'x@x', iban: 'IT00' },
      customerName: 'Mario Bianchi',
      consumer: true,
      currency: 'EUR',
      invoices: [
        { number: 'F1', issueDate: '2025-01-01', dueDate: '2025-01-31', amountMinor: 10000, balanceMinor: 10000 },
      ],
      balanceMinor: 10000,
      reference: 'SEG-1',
      today: '2025-03-01',
      deadline: '2025-03-16',
      interest: { interestMinor: 16, compensationMinor: 0, totalMinor: 16, asOf: '2025-03-01' },
    });
    expect(consumerCtx.salutation).toBe('Gentile Mario Bianchi,');
    expect(consumerCtx.outro[0]).not.toContain('forfettario');
  });
});

describe('TwiML and .eml', () => {
  it('speaks in the customer language and escapes XML', () => {
    expect(sayTwiml('Rossi & figli <srl>', 'it')).toContain(
      '<Say language="it-IT">Rossi &amp; figli &lt;srl&gt;</Say>',
    );
    expect(bridgeTwiml('Rif. X', '+39333', '+3902', 'fr')).toContain('<Dial callerId="+3902">+39333</Dial>');
  });

  it('builds a MIME message with encoded subject, both bodies and the attachment', () => {
    const eml = buildEml({
      from: 'a@b.example',
      to: 'c@d.example',
      subject: 'Sollecito – fattura',
      text: 'ciao',
      html: '<p>ciao</p>',
      language: 'it',
      idempotencyKey: 'k1',
      date: new Date('2025-09-15T10:00:00Z'),
      attachment: { filename: 'x.pdf', content: Buffer.from('%PDF-1.4'), type: 'application/pdf' },
    });
    expect(eml).toContain(`Subject: =?UTF-8?B?${Buffer.from('Sollecito – fattura').toString('base64')}?=`);
    expect(eml).toContain('Content-Type: text/plain; charset=UTF-8');
    expect(eml).toContain('Content-Type: text/html; charset=UTF-8');
    expect(eml).toContain('Content-Disposition: attachment; filename="x.pdf"');
    expect(eml).toContain('X-Segugio-Idempotency-Key: k1');
  });
});
