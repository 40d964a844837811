/**
 * Proof of receipt and terms from receipt, with worked examples (docs/channels.md): art. 2963 c.c. for the count,
 * the DPR 68/2005 technical rules (DM 2 November 2005, annex) for the receipts.
 */
import {
  legalStepAfterReceiptMs,
  nextNoticeStatus,
  pecProvenanceAfterErp,
  statusAfterReceipt,
  termEndDate,
} from '../../domain/notices';
import { parseDaticert, parsePecReceipt, receiptDedupeKey } from '../../contexts/notices/pec-receipt';

describe('the term of a formal notice runs from receipt (art. 2963 c.c.)', () => {
  it('the day of receipt is not counted: received Tue 1 Dec 2026 → last day Wed 16 Dec 2026', () => {
    expect(termEndDate('2026-12-01', 15)).toBe('2026-12-16');
  });
  it('a term ending on Santo Stefano (Sat 26 Dec 2026) and then a Sunday moves to Mon 28 Dec 2026', () => {
    expect(termEndDate('2026-12-11', 15)).toBe('2026-12-28');
  });
  it('a Saturday that is not a holiday counts (2963 c.c. speaks of "giorno festivo"): 14 Nov → Sat 29 Nov 2025', () => {
    expect(termEndDate('2025-11-14', 15)).toBe('2025-11-29');
  });
  it('Easter Monday 6 Apr 2026 moves to Tue 7 Apr; a patron saint given as MM-DD moves it again', () => {
    expect(termEndDate('2026-03-22', 15)).toBe('2026-04-07');
    expect(termEndDate('2026-03-22', 15, ['04-07'])).toBe('2026-04-08');
  });
  it('LEGAL may fire at the end of the last day in Rome plus the buffer: receipt 11 Dec 2026 16:05 CET, P5D', () => {
    const receivedAt = Date.parse('2026-12-11T15:05:00Z');
    // Last day Mon 28 Dec 2026 → its end is 29 Dec 00:00 CET = 28 Dec 23:00 UTC; + 5 days = 2 Jan 2027 23:00 UTC.
    expect(new Date(legalStepAfterReceiptMs(receivedAt, 15, 'Europe/Rome', 5 * 86_400_000)).toISOString()).toBe(
      '2027-01-02T23:00:00.000Z',
    );
  });
  it('a receipt certified at 00:30 Rome time belongs to that Rome day, not to the UTC day before', () => {
    const receivedAt = Date.parse('2026-07-09T22:30:00Z'); // 10 Jul 2026 00:30 CEST
    // Last day Sat 25 Jul 2026 → end 26 Jul 00:00 CEST = 25 Jul 22:00 UTC, no buffer.
    expect(new Date(legalStepAfterReceiptMs(receivedAt, 15, 'Europe/Rome', 0)).toISOString()).toBe(
      '2026-07-25T22:00:00.000Z',
    );
  });
});

describe('receipt states', () => {
  it('maps each receipt to the contact state it proves', () => {
    expect(statusAfterReceipt('ACCEPTANCE')).toBe('ACCEPTED');
    expect(statusAfterReceipt('DELIVERY')).toBe('DELIVERED');
    expect(statusAfterReceipt('NON_DELIVERY')).toBe('FAILED');
    expect(statusAfterReceipt('NON_ACCEPTANCE')).toBe('FAILED');
    expect(statusAfterReceipt('TAKING_CHARGE')).toBeNull();
    expect(statusAfterReceipt('DELIVERY_WARNING')).toBeNull();
    expect(statusAfterReceipt('POSTED')).toBe('ACCEPTED');
    expect(statusAfterReceipt('RETURNED')).toBe('FAILED');
  });
  it('only moves forward: a delivery out of order still wins, a late failure never undoes a delivery', () => {
    expect(nextNoticeStatus('SUBMITTED', 'DELIVERED')).toBe('DELIVERED');
    expect(nextNoticeStatus('DELIVERED', 'ACCEPTED')).toBe('DELIVERED');
    expect(nextNoticeStatus('DELIVERED', 'FAILED')).toBe('DELIVERED');
    expect(nextNoticeStatus('FAILED', 'DELIVERED')).toBe('DELIVERED');
    expect(nextNoticeStatus('ACCEPTED', null)).toBe('ACCEPTED');
  });
});

describe('PEC provenance', () => {
  it('the ERP sending the verified address again keeps the verification; a new address is the ERP’s, unverified', () => {
    const verified = { pec: 'Amministrazione@PEC.rossi.it', pecSource: 'INIPEC' };
    expect(pecProvenanceAfterErp(verified, 'amministrazione@pec.rossi.it')).toEqual({});
    expect(pecProvenanceAfterErp(verified, 'nuova@pec.rossi.it')).toEqual({
      pecSource: 'ERP',
      pecVerifiedAt: null,
      pecVerifiedBy: null,
    });
    expect(pecProvenanceAfterErp(null, 'a@pec.it')).toMatchObject({ pecSource: 'ERP' });
    expect(pecProvenanceAfterErp(verified, null)).toEqual({
      pecSource: null,
      pecVerifiedAt: null,
      pecVerifiedBy: null,
    });
  });
});

const DATICERT = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE postacert SYSTEM "Postacert.dtd">
<postacert tipo="avvenuta-consegna" errore="nessuno">
  <intestazione>
    <mittente>crediti@pec.brambilla.it</mittente>
    <destinatari tipo="certificato">amministrazione@pec.rossi.it</destinatari>
    <risposte>crediti@pec.brambilla.it</risposte>
    <oggetto>Diffida ad adempiere e costituzione in mora &#8211; fattura n. FT-1</oggetto>
  </intestazione>
  <dati>
    <gestore-emittente>ARUBA PEC S.p.A.</gestore-emittente>
    <data zona="+0100">
      <giorno>11/12/2026</giorno>
      <ora>16:05:31</ora>
    </data>
    <identificativo>opec21010.20261211160531.12345.678.1.53@pec.aruba.it</identificativo>
    <msgid>&lt;segugio.abc@pec.brambilla.it&gt;</msgid>
    <ricevuta tipo="completa" />
    <consegna>amministrazione@pec.rossi.it</consegna>
  </dati>
</postacert>`;

describe('daticert.xml and PEC receipts (DPR 68/2005 technical rules)', () => {
  it('reads the certified data: type, local time with its zone, identificativo, msgid, consegna', () => {
    expect(parseDaticert(DATICERT)).toEqual({
      tipo: 'avvenuta-consegna',
      errore: null,
      identificativo: 'opec21010.20261211160531.12345.678.1.53@pec.aruba.it',
      msgid: '<segugio.abc@pec.brambilla.it>',
      at: '2026-12-11T15:05:31.000Z',
      consegna: 'amministrazione@pec.rossi.it',
      destinatari: 'amministrazione@pec.rossi.it',
      gestore: 'ARUBA PEC S.p.A.',
      erroreEsteso: null,
    });
  });

  it('a receipt .eml: the daticert wins over the headers; dedupe key per type, message and recipient', async () => {
    const eml = [
      'From: "Per conto di: crediti@pec.brambilla.it" <posta-certificata@pec.aruba.it>',
      'To: crediti@pec.brambilla.it',
      'Subject: CONSEGNA: Diffida',
      'Date: Fri, 11 Dec 2026 16:05:32 +0100',
      'Message-ID: <opec.consegna.1@pec.aruba.it>',
      'X-Ricevuta: avvenuta-consegna',
      'X-Riferimento-Message-ID: <segugio.abc@pec.brambilla.it>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'Ricevuta di avvenuta consegna',
      '--b',
      'Content-Type: application/xml; name="daticert.xml"',
      'Content-Disposition: inline; filename="daticert.xml"',
      '',
      DATICERT,
      '--b--',
      '',
    ].join('\r\n');
    const r = await parsePecReceipt(Buffer.from(eml));
    expect(r).toMatchObject({
      kind: 'DELIVERY',
      refMessageId: 'segugio.abc@pec.brambilla.it',
      at: '2026-12-11T15:05:31.000Z',
      recipient: 'amministrazione@pec.rossi.it',
      issuer: 'ARUBA PEC S.p.A.',
      messageId: 'opec.consegna.1@pec.aruba.it',
    });
    expect(receiptDedupeKey(r!)).toBe(
      'pec:DELIVERY:opec21010.20261211160531.12345.678.1.53@pec.aruba.it:amministrazione@pec.rossi.it',
    );
  });

  it('an ordinary message in the PEC mailbox is not a receipt', async () => {
    const eml =
      'From: cliente@pec.rossi.it\r\nTo: crediti@pec.brambilla.it\r\nSubject: Re: fattura\r\n\r\nPagheremo.\r\n';
    expect(await parsePecReceipt(Buffer.from(eml))).toBeNull();
  });

  it('a non-delivery notice without daticert is read from its headers', async () => {
    const eml = [
      'From: posta-certificata@pec.aruba.it',
      'Subject: AVVISO DI MANCATA CONSEGNA: Diffida',
      'Date: Fri, 11 Dec 2026 16:05:32 +0100',
      'X-Ricevuta: errore-consegna',
      'X-Riferimento-Message-ID: <segugio.abc@pec.brambilla.it>',
      '',
      'Avviso di mancata consegna',
      '',
    ].join('\r\n');
    expect(await parsePecReceipt(Buffer.from(eml))).toMatchObject({
      kind: 'NON_DELIVERY',
      refMessageId: 'segugio.abc@pec.brambilla.it',
      at: '2026-12-11T15:05:32.000Z',
    });
  });
});
