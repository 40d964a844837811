/** The PEC mailbox settings are validated with the rest of the configuration: complete or absent, never clear text. */
import { loadConfig } from '../../infra/config';

const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db', SEGUGIO_MODE: 'test' };
const pec = {
  PEC_SMTP_HOST: 'smtps.pec.aruba.it',
  PEC_IMAP_HOST: 'imaps.pec.aruba.it',
  PEC_USER: 'crediti@pec.brambilla.it',
  PEC_PASSWORD: 'secret',
};

describe('PEC configuration', () => {
  it('defaults to implicit TLS on 465 (SMTP) and 993 (IMAP), the sender being the mailbox itself', () => {
    const c = loadConfig({ ...base, ...pec });
    expect(c).toMatchObject({
      PEC_SMTP_PORT: 465,
      PEC_SMTP_TLS: 'implicit',
      PEC_IMAP_PORT: 993,
      PEC_IMAP_TLS: 'implicit',
    });
    expect(c.PEC_FROM).toBeUndefined();
    expect(c.PEC_RECEIPTS_EVERY).toBe('PT1M');
  });

  it('names what is missing when a PEC mailbox is half configured', () => {
    expect(() => loadConfig({ ...base, PEC_SMTP_HOST: 'smtps.pec.aruba.it' })).toThrow(
      /PEC_IMAP_HOST: required[\s\S]*PEC_USER: required[\s\S]*PEC_PASSWORD: required/,
    );
    expect(() => loadConfig({ ...base, ...pec, PEC_USER: 'crediti' })).toThrow(/PEC_FROM: the PEC address is required/);
  });

  it('allows clear text only towards a loopback host (the tests), and a receipts interval in time units', () => {
    expect(() => loadConfig({ ...base, ...pec, PEC_SMTP_TLS: 'none' })).toThrow(
      /PEC_SMTP_TLS: none is allowed only for a loopback host/,
    );
    expect(loadConfig({ ...base, ...pec, PEC_IMAP_HOST: '127.0.0.1', PEC_IMAP_TLS: 'none' }).PEC_IMAP_TLS).toBe('none');
    expect(() => loadConfig({ ...base, ...pec, PEC_RECEIPTS_EVERY: 'P1D' })).toThrow(/PEC_RECEIPTS_EVERY/);
    expect(() => loadConfig({ ...base, ...pec, PEC_FROM: 'not an address' })).toThrow(/PEC_FROM/);
  });

  it('in production a PEC mailbox needs the CAs that sign its receipts (nothing could be verified without)', () => {
    const production = { ...base, SEGUGIO_MODE: 'production' };
    expect(() => loadConfig({ ...production, ...pec })).toThrow(/PEC_RECEIPT_CA_FILE: required in production/);
    // In test mode it may be absent: every receipt is then kept as evidence only, with a task.
    expect(loadConfig({ ...base, ...pec }).PEC_RECEIPT_CA_FILE).toBeUndefined();
  });
});
