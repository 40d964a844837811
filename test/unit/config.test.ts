/** The validated configuration: in production, what debtors read has no placeholder. */
import { IDENTITY_PLACEHOLDERS, loadConfig } from '../../infra/config';

const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db' };
const identity = {
  LETTERHEAD_NAME: 'Acciaierie Brambilla S.p.A.',
  LETTERHEAD_ADDRESS: 'Via dei Mille 4|25121 Brescia (BS)',
  LETTERHEAD_VAT: 'IT01234567890',
  LETTERHEAD_IBAN: 'IT02A0306909606100000012345',
  LETTERHEAD_EMAIL: 'crediti@brambilla.example',
  SENDGRID_FROM: 'solleciti@brambilla.example',
  SEGUGIO_PAYLOAD_KEY: Buffer.alloc(32, 1).toString('base64'),
};

describe('loadConfig', () => {
  it('refuses to start in production without the creditor identity, naming each missing variable', () => {
    expect(() => loadConfig({ ...base, SEGUGIO_MODE: 'production' })).toThrow(
      /LETTERHEAD_NAME: required in production[\s\S]*LETTERHEAD_ADDRESS[\s\S]*LETTERHEAD_VAT[\s\S]*LETTERHEAD_IBAN[\s\S]*LETTERHEAD_EMAIL[\s\S]*SENDGRID_FROM/,
    );
    const { LETTERHEAD_IBAN: _iban, ...withoutIban } = identity;
    let message = '';
    try {
      loadConfig({ ...base, ...withoutIban });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('LETTERHEAD_IBAN: required in production');
    expect(message).not.toContain('LETTERHEAD_NAME');
  });

  it('refuses to start in production without the payload key, and accepts only a 32-byte key', () => {
    const { SEGUGIO_PAYLOAD_KEY: _key, ...withoutKey } = identity;
    expect(() => loadConfig({ ...base, ...withoutKey })).toThrow(/SEGUGIO_PAYLOAD_KEY: required in production/);
    expect(() => loadConfig({ ...base, ...withoutKey, SEGUGIO_MODE: 'production' })).toThrow(/SEGUGIO_PAYLOAD_KEY/);
    expect(() =>
      loadConfig({ ...base, ...identity, SEGUGIO_PAYLOAD_KEY: Buffer.alloc(16).toString('base64') }),
    ).toThrow(/SEGUGIO_PAYLOAD_KEY: must be 32 bytes/);
    expect(loadConfig({ ...base, ...identity }).SEGUGIO_PAYLOAD_KEY).toBe(identity.SEGUGIO_PAYLOAD_KEY);
    // Dev and test run without it (histories in clear, as the recorded test histories are).
    expect(loadConfig({ ...base, SEGUGIO_MODE: 'dev' }).SEGUGIO_PAYLOAD_KEY).toBeUndefined();
    expect(loadConfig({ ...base, SEGUGIO_MODE: 'test' }).SEGUGIO_PAYLOAD_KEY).toBeUndefined();
  });

  it('takes the configured identity in production and fills placeholders only in dev and test', () => {
    const prod = loadConfig({ ...base, ...identity });
    expect(prod.SEGUGIO_MODE).toBe('production');
    expect(prod.LETTERHEAD_IBAN).toBe(identity.LETTERHEAD_IBAN);
    const dev = loadConfig({ ...base, SEGUGIO_MODE: 'dev' });
    expect(dev.LETTERHEAD_IBAN).toBe(IDENTITY_PLACEHOLDERS.LETTERHEAD_IBAN);
    expect(loadConfig({ ...base, SEGUGIO_MODE: 'test', LETTERHEAD_NAME: 'X S.r.l.' }).LETTERHEAD_NAME).toBe('X S.r.l.');
  });
});
