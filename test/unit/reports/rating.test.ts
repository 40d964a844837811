/** Internal rating: the score scale and the factors on hand-computed cases. */
import { gradeOf, scoreRating, type RatingFeatures } from '../../../contexts/reports/rating';

const base: RatingFeatures = {
  weightedDaysLate: 0,
  recentDaysLate: null,
  priorDaysLate: null,
  promisesKept: 0,
  promisesBroken: 0,
  disputesAccepted: 0,
  disputesRejected: 0,
  disputesPartial: 0,
  disputesOpen: 0,
  exposureMinor: 0,
  creditLimitMinor: null,
  invoicesConsidered: 5,
};
const points = (f: RatingFeatures) => Object.fromEntries(scoreRating(f).factors.map((x) => [x.factor, x.points]));

test('grade thresholds', () => {
  expect([100, 85, 84, 70, 69, 55, 54, 40, 39, 0].map(gradeOf)).toEqual([
    'A',
    'A',
    'B',
    'B',
    'C',
    'C',
    'D',
    'D',
    'E',
    'E',
  ]);
});

test('a punctual customer is A with 100', () => {
  expect(scoreRating(base)).toMatchObject({ rating: 'A', score: 100 });
});

test('no history is a neutral C', () => {
  const r = scoreRating({ ...base, invoicesConsidered: 0, weightedDaysLate: null });
  expect(r).toMatchObject({ rating: 'C', score: 60 });
  expect(r.factors[0].factor).toBe('history');
});

test('lateness: two thirds of a point per day, at most 40', () => {
  expect(points({ ...base, weightedDaysLate: 30 }).lateness).toBe(-20);
  expect(points({ ...base, weightedDaysLate: 18.8333 }).lateness).toBe(-13);
  expect(points({ ...base, weightedDaysLate: 200 }).lateness).toBe(-40);
});

test('promises, disputes and their caps', () => {
  expect(points({ ...base, promisesBroken: 2 }).promises).toBe(-14);
  expect(points({ ...base, promisesBroken: 5 }).promises).toBe(-20);
  // an accepted dispute does not count against the customer; rejected 5, partial 2, open 1
  expect(points({ ...base, disputesAccepted: 3 }).disputes).toBe(-0);
  expect(points({ ...base, disputesRejected: 1, disputesPartial: 1, disputesOpen: 1 }).disputes).toBe(-8);
  expect(points({ ...base, disputesRejected: 10 }).disputes).toBe(-15);
});

test('exposure against the credit limit', () => {
  expect(points({ ...base, exposureMinor: 79, creditLimitMinor: 100 }).exposure).toBe(0);
  expect(points({ ...base, exposureMinor: 81, creditLimitMinor: 100 }).exposure).toBe(-7);
  expect(points({ ...base, exposureMinor: 101, creditLimitMinor: 100 }).exposure).toBe(-15);
  expect(points({ ...base, exposureMinor: 101, creditLimitMinor: null }).exposure).toBe(0);
});

test('trend: worsening costs, improving earns, capped at 100', () => {
  expect(points({ ...base, recentDaysLate: 20, priorDaysLate: 5 }).trend).toBe(-10);
  expect(points({ ...base, recentDaysLate: 12, priorDaysLate: 5 }).trend).toBe(-5);
  expect(points({ ...base, recentDaysLate: 0, priorDaysLate: 15 }).trend).toBe(5);
  expect(scoreRating({ ...base, recentDaysLate: 0, priorDaysLate: 15 }).score).toBe(100);
});

test('a bad payer: 45 days late, 2 broken promises, a rejected dispute, over the limit, worsening → E', () => {
  // −30 −14 −5 −15 −10 = −74 → 26
  const r = scoreRating({
    ...base,
    weightedDaysLate: 45,
    recentDaysLate: 60,
    priorDaysLate: 30,
    promisesBroken: 2,
    disputesRejected: 1,
    exposureMinor: 120,
    creditLimitMinor: 100,
  });
  expect(r).toMatchObject({ rating: 'E', score: 26 });
  expect(r.factors.map((f) => f.detail).join(' ')).toMatch(/45 days late/);
});
