/** Request validation helpers and the agenda priority, without a server. */
import { z } from 'zod';
import { zodFields } from '../../../contexts/errors';
import { refuseNul } from '../../../api/registry';
import { completeTaskSchema, listInvoicesQuery, planSchema, segmentName } from '../../../contexts/schemas';
import { taskPriority } from '../../../contexts/collections/agenda';

const fieldsOf = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? [] : zodFields(r.error).map((f) => f.path);
};

describe('field paths', () => {
  it('names nested paths and unknown fields', () => {
    expect(fieldsOf(planSchema, { instalments: [{ dueDate: '2026-01-01', amountMinor: 1.5 }], extra: 1 })).toEqual(
      expect.arrayContaining(['instalments.0.amountMinor', 'extra']),
    );
  });

  it('query strings: comma-separated stages, integers, ranges', () => {
    expect(listInvoicesQuery.parse({ stage: 'open,reminder', overdueMin: '5' })).toMatchObject({
      stage: ['OPEN', 'REMINDER'],
      overdueMin: 5,
    });
    expect(fieldsOf(listInvoicesQuery, { stage: 'OPEN,NOPE', pageSize: '500' })).toEqual(
      expect.arrayContaining(['stage.1', 'pageSize']),
    );
    expect(fieldsOf(listInvoicesQuery, { overdueMin: '9', overdueMax: '3' })).toEqual(['overdueMax']);
  });

  it('task outcomes carry what their outcome needs', () => {
    expect(fieldsOf(completeTaskSchema, { outcome: 'PROMISE' })).toEqual(['promise']);
    expect(fieldsOf(completeTaskSchema, { outcome: 'CALLBACK' })).toEqual(['callbackAt']);
    expect(fieldsOf(completeTaskSchema, { outcome: 'NO_ANSWER', promise: { promisedDate: '2026-01-01' } })).toEqual([
      'promise',
    ]);
    expect(fieldsOf(completeTaskSchema, { outcome: 'REACHED', reasonCode: 'LIQUIDITY' })).toEqual([]);
  });

  it('segment names are slugs, so they can sit inside a visibility query', () => {
    expect(segmentName.safeParse('standard').success).toBe(true);
    expect(segmentName.safeParse("x' OR Segment != '").success).toBe(false);
    expect(segmentName.safeParse('Standard').success).toBe(false);
  });
});

describe('NUL characters', () => {
  it('are refused wherever they hide, naming the field', () => {
    expect(() => refuseNul({ body: { customer: { name: 'a\u0000b' } } }, [])).toThrow();
    try {
      refuseNul({ params: { id: 'x\u0000' } });
    } catch (err) {
      expect((err as { fields: Array<{ path: string }> }).fields[0].path).toBe('id');
    }
    expect(() => refuseNul({ body: { ok: ['fine', 1, null] } })).not.toThrow();
  });
});

describe('agenda priority', () => {
  it('is amount × days overdue × risk of the rating', () => {
    expect(taskPriority(500_000, 10, 'C')).toBe(150_000);
    expect(taskPriority(100_000, 10, 'E')).toBe(50_000);
    expect(taskPriority(100_000, 0, 'A')).toBe(1_000); // not yet overdue counts as one day
    expect(taskPriority(100_000, 3, '?')).toBe(taskPriority(100_000, 3, 'C'));
  });
});
