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

test('lateness: two thirds of a point per day up to 45 days, then steeper, flat after a year', () => {
  expect(points({ ...base, weightedDaysLate: 30 }).lateness).toBe(-20);
  expect(points({ ...base, weightedDaysLate: 18.8333 }).lateness).toBe(-13);
  // 120 → −61; 200 days: −61 − 80 × 24 / 245 = −68.8 → −69; beyond 365 days stays −85
  expect(points({ ...base, weightedDaysLate: 200 }).lateness).toBe(-69);
  expect(points({ ...base, weightedDaysLate: 900 }).lateness).toBe(-85);
});

test('customers paying 60, 180 and 365 days late on average reach D and E (no longer a C like a new customer)', () => {
  // 60 days: −46 → 54 (D); 180 days: −61 − 60 × 24 / 245 = −66.9 → −67 → 33 (E); 365 days: −85 → 15 (E)
  expect(scoreRating({ ...base, weightedDaysLate: 60 })).toMatchObject({ score: 54, rating: 'D' });
  expect(scoreRating({ ...base, weightedDaysLate: 180 })).toMatchObject({ score: 33, rating: 'E' });
  expect(scoreRating({ ...base, weightedDaysLate: 365 })).toMatchObject({ score: 15, rating: 'E' });
  expect(scoreRating({ ...base, invoicesConsidered: 0, weightedDaysLate: null }).rating).toBe('C');
});

test('a write-off forces E for the configured period, then the averages decide again', () => {
  // A punctual customer (100) with a write-off 30 days ago: E with 39; after the lock (365 days by default) A again.
  const recent = scoreRating({ ...base, daysSinceWriteOff: 30 });
  expect(recent).toMatchObject({ rating: 'E', score: 39 });
  expect(recent.factors.at(-1)).toMatchObject({ factor: 'writeOff', points: -61, value: 30 });
  expect(scoreRating({ ...base, daysSinceWriteOff: 366 })).toMatchObject({ rating: 'A', score: 100 });
  // A 90-day lock (SEGUGIO_RATING_WRITE_OFF_DAYS=90): 100 days after the write-off the grade is free again.
  expect(scoreRating({ ...base, daysSinceWriteOff: 100, writeOffLockDays: 90 }).rating).toBe('A');
  expect(scoreRating({ ...base, daysSinceWriteOff: 60, writeOffLockDays: 90 }).rating).toBe('E');
  // Already below 39: the score is kept, only the grade is stated.
  expect(scoreRating({ ...base, weightedDaysLate: 365, daysSinceWriteOff: 5 })).toMatchObject({
    rating: 'E',
    score: 15,
  });
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
