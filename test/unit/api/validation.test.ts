/** Request validation helpers and the agenda priority, without a server. */
import { z } from 'zod';
import { zodFields } from '../../../contexts/errors';
import { refuseNul } from '../../../api/registry';
import { completeTaskSchema, listInvoicesQuery, planSchema, segmentName } from '../../../contexts/schemas';
import { taskPriority } from '../../../contexts/collections/agenda';
import { rejectionReason } from '../../../contexts/collections/decisions';
import { isoDuration } from '../../../domain/policy';

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

describe('field codes and parameters (what a client translates)', () => {
  const problems = (schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value);
    return r.success ? [] : zodFields(r.error, '', value).map(({ path, code, params }) => ({ path, code, params }));
  };

  it('missing, too short, too large, wrong type and unknown fields each have their code', () => {
    const schema = z
      .object({ name: z.string().min(1), count: z.number().int().max(10), note: z.string().optional() })
      .strict();
    expect(problems(schema, { name: '', count: 11, extra: 1 })).toEqual(
      expect.arrayContaining([
        { path: 'name', code: 'too_small', params: expect.objectContaining({ minimum: 1, origin: 'string' }) },
        { path: 'count', code: 'too_big', params: expect.objectContaining({ maximum: 10, origin: 'number' }) },
        { path: 'extra', code: 'unknown_field', params: undefined },
      ]),
    );
    expect(problems(schema, { count: 'x' })).toEqual(
      expect.arrayContaining([
        { path: 'name', code: 'required', params: undefined },
        { path: 'count', code: 'invalid_type', params: { expected: 'number' } },
      ]),
    );
  });

  it('dates: a malformed one and an impossible one are both invalid_date', () => {
    expect(problems(planSchema, { instalments: [{ dueDate: '1/2/2026', amountMinor: 100 }] })).toEqual([
      { path: 'instalments.0.dueDate', code: 'invalid_date', params: undefined },
    ]);
    expect(problems(planSchema, { instalments: [{ dueDate: '2026-02-30', amountMinor: 100 }] })).toEqual([
      { path: 'instalments.0.dueDate', code: 'invalid_date', params: undefined },
    ]);
  });

  it('a policy offset that is not an ISO-8601 duration is invalid_duration', () => {
    expect(problems(isoDuration, '5 giorni')).toEqual([
      { path: '(body)', code: 'invalid_duration', params: undefined },
    ]);
  });
});

describe('decision rejections carry the workflow reason', () => {
  it('takes details[0] = { reason, params } and keeps only plain values', () => {
    expect(
      rejectionReason([
        { reason: 'AMOUNT_EXCEEDS_BALANCE', params: { amountMinor: 99_999_900, balanceMinor: 2_684_000, x: {} } },
      ]),
    ).toEqual({ code: 'AMOUNT_EXCEEDS_BALANCE', params: { amountMinor: 99_999_900, balanceMinor: 2_684_000 } });
    expect(rejectionReason(undefined)).toBeUndefined();
    expect(rejectionReason(['just text'])).toBeUndefined();
    expect(rejectionReason([{ reason: 'not a code' }])).toBeUndefined();
  });
});
