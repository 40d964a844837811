/**
 * Every JSON body the API takes refuses unknown keys (issue 12): the schema of each declared route is walked and
 * every object in it must be strict; the one free-form place is the invoice's `metadata` record. Plus the shared
 * calendar-date type and the body limits, without a server.
 */
import { z } from 'zod';
import { jsonTooDeep } from '../../../api/body-limits';
import { describeRoutes, type RouteSpec } from '../../../api/registry';
import { agendaRoutes } from '../../../api/routes/agenda';
import { bulkRoutes } from '../../../api/routes/bulk';
import { customerRoutes } from '../../../api/routes/customers';
import { importRoutes } from '../../../api/routes/imports';
import { interestNoteRoutes } from '../../../api/routes/interest-notes';
import { invoiceRoutes } from '../../../api/routes/invoices';
import { policyRoutes } from '../../../api/routes/policies';
import { preferenceRoutes } from '../../../api/routes/preferences';
import { reportRoutes } from '../../../api/routes/reports';
import { adjustmentSchema, createInvoiceSchema, isoDate, paymentSchema } from '../../../contexts/schemas';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** Paths of every object schema that does not refuse unknown keys. */
function looseObjects(schema: unknown, at = '(body)', seen = new Set<unknown>()): string[] {
  if (!schema || seen.has(schema)) return [];
  seen.add(schema);
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const catchall = def.catchall ? defOf(def.catchall).type : undefined;
      const own = catchall === 'never' ? [] : [at];
      const shape = def.shape as Record<string, unknown>;
      return [...own, ...Object.entries(shape).flatMap(([k, v]) => looseObjects(v, `${at}.${k}`, seen))];
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return looseObjects(def.innerType, at, seen);
    case 'pipe':
      return [...looseObjects(def.in, at, seen), ...looseObjects(def.out, at, seen)];
    case 'array':
      return looseObjects(def.element, `${at}[]`, seen);
    case 'union':
      return (def.options as unknown[]).flatMap((o) => looseObjects(o, at, seen));
    case 'intersection':
      return [...looseObjects(def.left, at, seen), ...looseObjects(def.right, at, seen)];
    case 'record':
      // The one free-form object: ERP metadata (bounded keys and scalar values).
      return at.endsWith('.metadata') ? [] : [at];
    default:
      return [];
  }
}

const routes: RouteSpec[] = [
  ...describeRoutes(invoiceRoutes),
  ...describeRoutes(bulkRoutes),
  ...describeRoutes(importRoutes),
  ...describeRoutes(customerRoutes),
  ...describeRoutes(agendaRoutes),
  ...describeRoutes(policyRoutes),
  ...describeRoutes(reportRoutes),
  ...describeRoutes(preferenceRoutes),
  ...describeRoutes(interestNoteRoutes),
];

describe('strict bodies', () => {
  it('the walk finds a loose object at any depth (self-check)', () => {
    const probe = z.object({ a: z.array(z.object({ b: z.string() }).optional()), c: z.object({}).strict() }).strict();
    expect(looseObjects(probe)).toEqual(['(body).a[]']);
  });

  it('every JSON body of every route refuses unknown keys at every depth', () => {
    const withBody = routes.filter((r) => r.body);
    expect(withBody.length).toBeGreaterThan(15);
    const loose = withBody.flatMap((r) => looseObjects(r.body).map((p) => `${r.method.toUpperCase()} ${r.path} ${p}`));
    expect(loose).toEqual([]);
  });

  it('names the path of a misspelt key, nested too', () => {
    const r = createInvoiceSchema.safeParse({ customer: { colectorId: 'u-giulia' }, extra: 1 });
    const paths = r.success
      ? []
      : r.error.issues
          .filter((i) => i.code === 'unrecognized_keys')
          .map((i) => [...i.path, ...(i as { keys: string[] }).keys].join('.'));
    expect(paths).toEqual(expect.arrayContaining(['extra', 'customer.colectorId']));
  });

  it('one calendar-date type: impossible days are refused everywhere', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-2-3', '2026-02-29', ' 2026-01-01'])
      expect(isoDate.safeParse(bad).success).toBe(false);
    expect(isoDate.safeParse('2028-02-29').success).toBe(true);
    expect(paymentSchema.safeParse({ reference: 'x', amountMinor: 1, paidOn: '2026-02-30' }).success).toBe(false);
  });

  it('a credit note or amount change needs an amount; a cancellation has none', () => {
    expect(adjustmentSchema.safeParse({ reference: 'x', kind: 'CREDIT_NOTE' }).success).toBe(false);
    expect(adjustmentSchema.safeParse({ reference: 'x', kind: 'CANCEL', amountMinor: 5 }).success).toBe(false);
    expect(adjustmentSchema.safeParse({ reference: 'x', kind: 'CANCEL' }).success).toBe(true);
  });

  it('measures JSON depth without counting brackets inside strings', () => {
    expect(jsonTooDeep(Buffer.from('['.repeat(33) + ']'.repeat(33)))).toBe(true);
    expect(jsonTooDeep(Buffer.from('['.repeat(32) + ']'.repeat(32)))).toBe(false);
    expect(jsonTooDeep(Buffer.from(JSON.stringify({ a: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\\' })))).toBe(false);
  });
});
