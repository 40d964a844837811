/**
 * lateInterestPerPrincipal (what the legal cost-benefit report uses for thousands of open balances) must give, for
 * every principal, exactly the interest and compensation computeLateInterest gives for it: seeded random due dates,
 * as-of dates, principals, B2B and B2C, EUR and another currency.
 */
import { computeLateInterest, lateInterestPerPrincipal } from '../../../domain/interest';
import { BUNDLED_LEGAL_RATES, BUNDLED_REFERENCE_RATES } from '../../../domain/reference-rates';
import { seeded } from '../../seeded';

const iso = (day: number): string => new Date(Date.UTC(2021, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);

describe('lateInterestPerPrincipal equals computeLateInterest', () => {
  it('on 100 seeded date pairs × 20 principals each', () => {
    const rnd = seeded(42);
    let compared = 0;
    for (let n = 0; n < 100; n++) {
      const dueDay = Math.floor(rnd() * 1400);
      const dueDate = iso(dueDay);
      const asOf = iso(dueDay + Math.floor(rnd() * 900) - 30);
      const consumer = rnd() < 0.3;
      const currency = rnd() < 0.8 ? 'EUR' : 'USD';
      const base = {
        dueDate,
        asOf,
        currency,
        consumer,
        referenceRates: BUNDLED_REFERENCE_RATES,
        legalRates: BUNDLED_LEGAL_RATES,
      };
      const of = lateInterestPerPrincipal(base);
      for (let k = 0; k < 20; k++) {
        const principalMinor = k === 0 ? 1 : Math.floor(rnd() * (k % 5 === 0 ? 5e10 : 2e6));
        const direct = computeLateInterest({ ...base, principalMinor });
        expect(of(principalMinor)).toEqual({
          interestMinor: direct.interestMinor,
          compensationMinor: direct.compensationMinor,
        });
        compared++;
      }
    }
    expect(compared).toBe(2000);
  });
});
