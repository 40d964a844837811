/**
 * `GET /v1/reports/monthly.pdf?lang=…`: the language is validated like every other filter (a bad one is a 400 naming
 * `lang`) and reaches the renderer; when absent, the language of the key's user (English without one). The renderer is replaced by a stub: the PDF itself is
 * checked in monthly-pdf.test.ts, and the database is never reached.
 */
import express, { type Express } from 'express';
import request from 'supertest';
import { errorHandler, notFoundHandler } from '../../../api/errors';
import { reportsRouter } from '../../../api/routes/reports';
import type { Db } from '../../../infra/db';
import { createLogger } from '../../../infra/logger';
import { monthlyReportPdf, type MonthlyReportOptions } from '../../../contexts/reports/pdf';

jest.mock('../../../contexts/reports/pdf', () => ({
  ...jest.requireActual<typeof import('../../../contexts/reports/pdf')>('../../../contexts/reports/pdf'),
  monthlyReportPdf: jest.fn(async () => Buffer.from('%PDF-1.3 stub')),
}));
const render = monthlyReportPdf as jest.MockedFunction<typeof monthlyReportPdf>;

let app: Express;
beforeAll(() => {
  app = express();
  app.use((req, _res, next) => {
    req.principal = { keyId: 'key_test', role: 'manager', userId: null };
    next();
  });
  app.use(reportsRouter({ db: {} as Db }));
  app.use(notFoundHandler);
  app.use(errorHandler(createLogger('silent', 'monthly-pdf-route-test')));
});
beforeEach(() => render.mockClear());

const optionsOfLastCall = (): MonthlyReportOptions => render.mock.calls[render.mock.calls.length - 1][1];

test('lang=it and lang=en reach the renderer; English when absent', async () => {
  await request(app).get('/v1/reports/monthly.pdf?month=2025-03&lang=it').expect(200).expect('content-type', /pdf/);
  expect(optionsOfLastCall()).toMatchObject({ month: '2025-03', lang: 'it' });
  await request(app).get('/v1/reports/monthly.pdf?month=2025-03&lang=en').expect(200);
  expect(optionsOfLastCall().lang).toBe('en');
  await request(app).get('/v1/reports/monthly.pdf?month=2025-03').expect(200);
  expect(optionsOfLastCall().lang ?? 'en').toBe('en');
});

test('a language other than it or en is a 400 naming lang, before any rendering', async () => {
  for (const lang of ['de', 'IT', 'it-IT', '']) {
    const res = await request(app)
      .get(`/v1/reports/monthly.pdf?month=2025-03&lang=${encodeURIComponent(lang)}`)
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['lang']);
  }
  expect(render).not.toHaveBeenCalled();
});

test("without lang, the language of the key's user; English for a user in another language", async () => {
  const languages: Record<string, string> = { 'u-laura': 'it', 'u-anna': 'de' };
  const db = {
    user: { findUnique: async ({ where }: { where: { id: string } }) => ({ language: languages[where.id] }) },
  } as unknown as Db;
  const appFor = (userId: string) => {
    const a = express();
    a.use((req, _res, next) => {
      req.principal = { keyId: 'key_user', role: 'manager', userId };
      next();
    });
    a.use(reportsRouter({ db }));
    return a;
  };
  await request(appFor('u-laura')).get('/v1/reports/monthly.pdf?month=2025-03').expect(200);
  expect(optionsOfLastCall().lang).toBe('it');
  await request(appFor('u-anna')).get('/v1/reports/monthly.pdf?month=2025-03').expect(200);
  expect(optionsOfLastCall().lang).toBe('en');
  // An explicit lang wins over the user's.
  await request(appFor('u-laura')).get('/v1/reports/monthly.pdf?month=2025-03&lang=en').expect(200);
  expect(optionsOfLastCall().lang).toBe('en');
});
