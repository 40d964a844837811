/**
 * The SEPA payment QR (EPC069-12 v002): the payload's lines as the guidelines define them, its limits, and the PNG
 * decoded back with a QR reader (jsqr) to the same text, as a banking app would read it.
 */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { EpcError, epcPayload, epcQrDataUrl, remittanceFor, validIban } from '../../../contexts/portal/epc';

const IBAN = 'IT60X0542811101000000123456';

describe('EPC QR payload', () => {
  it('writes the twelve EPC069-12 fields in order, dropping trailing empty ones', () => {
    const text = epcPayload({
      name: 'Segugio S.r.l.',
      iban: 'IT60 X054 2811 1010 0000 0123 456',
      bic: 'bppiitrrxxx',
      amountMinor: 123456,
      remittance: 'Fatt. FT-1 FT-2',
    });
    expect(text.split('\n')).toEqual([
      'BCD', // service tag
      '002', // version (BIC optional inside the EEA)
      '1', // UTF-8
      'SCT', // SEPA credit transfer
      'BPPIITRRXXX',
      'Segugio S.r.l.',
      IBAN,
      'EUR1234.56', // "EUR" + amount with a dot and two decimals, no grouping
      '', // purpose
      '', // structured reference (only one of the two references)
      'Fatt. FT-1 FT-2', // unstructured remittance
    ]);
  });

  it('leaves the BIC empty when there is none, and the amount empty when the payer types it', () => {
    const lines = epcPayload({ name: 'A', iban: IBAN, remittance: 'x' }).split('\n');
    expect(lines[4]).toBe('');
    expect(lines[7]).toBe('');
    expect(epcPayload({ name: 'A', iban: IBAN, amountMinor: 5, remittance: 'x' }).split('\n')[7]).toBe('EUR0.05');
  });

  it('refuses what a bank would refuse', () => {
    expect(() => epcPayload({ name: 'A', iban: 'IT60X0542811101000000123457', remittance: 'x' })).toThrow(EpcError);
    expect(() => epcPayload({ name: 'x'.repeat(71), iban: IBAN, remittance: 'x' })).toThrow(/70/);
    expect(() => epcPayload({ name: 'A', iban: IBAN, remittance: 'x'.repeat(141) })).toThrow(/140/);
    expect(() => epcPayload({ name: 'A', iban: IBAN, amountMinor: 0, remittance: 'x' })).toThrow(/amount/);
    expect(() => epcPayload({ name: 'A', iban: IBAN, amountMinor: 100_000_000_000, remittance: 'x' })).toThrow(
      /amount/,
    );
    expect(() => epcPayload({ name: 'A', iban: IBAN, bic: 'NOTABIC', remittance: 'x' })).toThrow(/BIC/);
  });

  it('checks IBANs with ISO 13616 mod 97', () => {
    expect(validIban(IBAN)).toBe(true);
    expect(validIban('DE89370400440532013000')).toBe(true);
    expect(validIban('DE89370400440532013001')).toBe(false);
    expect(validIban('hello')).toBe(false);
  });

  it('puts as many invoice numbers in the reference as fit in 140 characters, then counts the rest', () => {
    expect(remittanceFor('Fatt.', ['FT-1', 'FT-2'])).toBe('Fatt. FT-1 FT-2');
    const many = Array.from({ length: 40 }, (_, i) => `FT-2026-${1000 + i}`);
    const ref = remittanceFor('Fatt.', many);
    expect([...ref].length).toBeLessThanOrEqual(140);
    const shown = ref.split(' ').filter((w) => w.startsWith('FT-')).length;
    expect(ref.endsWith(` +${40 - shown}`)).toBe(true);
  });

  it('renders a QR code that decodes back to the payload', async () => {
    const payload = epcPayload({ name: 'Segugio S.r.l.', iban: IBAN, amountMinor: 480050, remittance: 'Fatt. FT-9' });
    const url = await epcQrDataUrl(payload);
    const png = PNG.sync.read(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(payload);
  });
});
