/**
 * The invoice list's search box (number, customer name, code, VAT number, e-mail, phone), its whitelisted server-side
 * sort, the collector's scope on both, and saved filters per person — against the real API and PostgreSQL (the
 * trigram indexes of the migration `invoice_search`).
 */
import request from 'supertest';
import { as, insertOpenInvoices, quietSegment } from './api-helpers';
import { isoDaysFromToday, KEYS, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
let segment: string;
const token = uniq('S').slice(2).toUpperCase(); // unique per run: the harness database is shared by nothing else
const rossi = { number: `FT-${token}-0001`, externalId: `CLI-${token}-R` };
const bianchi = { number: `FT-${token}-0002`, externalId: `CLI-${token}-B` };
const rossi2 = { number: `FT-${token}-0003` };

async function create(number: string, customer: Record<string, unknown>, amountMinor: number, dueInDays: number) {
  const res = await as(h, 'erp')
    .post('/v1/invoices')
    .send({
      number,
      customer: { language: 'it', segment, area: 'Nord', salespersonId: 'u-paolo', ...customer },
      currency: 'EUR',
      amountMinor,
      issueDate: isoDaysFromToday(-60),
      dueDate: isoDaysFromToday(dueInDays),
    });
  if (![201, 202].includes(res.status)) throw new Error(`invoice ${number}: ${res.status} ${JSON.stringify(res.body)}`);
}

beforeAll(async () => {
  h = await startHarness();
  segment = await quietSegment(h);
  const rossiCustomer = {
    externalId: rossi.externalId,
    name: `Trasporti Rossi ${token} S.r.l.`,
    vatNumber: 'IT07654321098',
    email: `amministrazione.${token.toLowerCase()}@trasporti-rossi.example`,
    phone: '+390255571234',
    collectorId: 'u-giulia',
  };
  await create(rossi.number, rossiCustomer, 120_000, -40);
  await create(rossi2.number, rossiCustomer, 900_000, -5);
  await create(
    bianchi.number,
    { externalId: bianchi.externalId, name: `Bianchi Costruzioni ${token}`, collectorId: 'u-marco' },
    300_000,
    -20,
  );
});

afterAll(async () => {
  await h?.close();
});

const numbers = (res: request.Response): string[] => (res.body.items as Array<{ number: string }>).map((i) => i.number);

describe('search', () => {
  it('finds invoices by a part of the number, the customer’s name, code, VAT number, e-mail or phone', async () => {
    const m = as(h, 'manager');
    const find = async (q: string) => numbers(await m.get(`/v1/invoices?q=${encodeURIComponent(q)}`).expect(200));
    expect(await find(`${token}-0002`)).toEqual([bianchi.number]);
    expect((await find(token)).sort()).toEqual([rossi.number, bianchi.number, rossi2.number].sort());
    // every word, in any order, any case
    expect((await find(`rossi ${token.toLowerCase()} trasp`)).sort()).toEqual([rossi.number, rossi2.number].sort());
    expect((await find(`${token}-R`)).sort()).toEqual([rossi.number, rossi2.number].sort()); // customer code
    expect((await find('07654321098')).sort()).toEqual([rossi.number, rossi2.number].sort()); // VAT number
    expect((await find(`amministrazione.${token.toLowerCase()}@`)).sort()).toEqual(
      [rossi.number, rossi2.number].sort(),
    );
    // the phone as people write it, with spaces, stored as +390255571234
    expect(await find('02 5557 12')).toEqual(expect.arrayContaining([rossi.number, rossi2.number]));
    // LIKE wildcards typed by a user are literal characters
    expect(await find(`${token}%0002`)).toEqual([]);
  });

  it('keeps a collector to their own customers', async () => {
    const res = await as(h, 'collector').get(`/v1/invoices?q=${token}`).expect(200);
    expect(numbers(res).sort()).toEqual([rossi.number, rossi2.number].sort());
    expect(res.body.total).toBe(2);
    const marco = await as(h, 'collector2').get(`/v1/invoices?q=${token}`).expect(200);
    expect(numbers(marco)).toEqual([bianchi.number]);
  });

  it('counts a broad search up to 1,000 and says there are more, while an exact count stays exact', async () => {
    // 1,005 open invoices of one customer, written by SQL as the search benchmark writes them.
    const { numbers: bulk, customerCode } = await insertOpenInvoices(h, {
      prefix: 'FB',
      segment,
      collectorId: 'u-giulia',
      count: 1005,
    });
    const m = as(h, 'manager');
    const broad = await m.get(`/v1/invoices?q=${bulk}&open=true&pageSize=50`).expect(200);
    expect(broad.body).toMatchObject({ total: 1000, totalCapped: true, page: 1, pageSize: 50 });
    expect(broad.body.items).toHaveLength(50);
    // Paging on past the cap still works: the 21st page holds invoices 1,001–1,005.
    const last = await m.get(`/v1/invoices?q=${bulk}&open=true&pageSize=50&page=21`).expect(200);
    expect(numbers(last)).toHaveLength(5);
    expect(last.body.totalCapped).toBe(true);
    // Below the cap the count is exact, and so is a list without search (no cap: the pager shows every page).
    const narrow = await m.get(`/v1/invoices?q=${bulk}-0100&open=true`).expect(200);
    expect(narrow.body).toMatchObject({ total: 5, totalCapped: false });
    const all = await m.get(`/v1/invoices?customer=${customerCode}&pageSize=1`).expect(200);
    expect(all.body).toMatchObject({ total: 1005, totalCapped: false });
  });

  it('refuses a search shorter than three characters, naming the field', async () => {
    const res = await as(h, 'manager').get('/v1/invoices?q=ab').expect(400);
    expect(res.body.error.fields).toEqual([expect.objectContaining({ path: 'q', code: 'too_small' })]);
  });
});

describe('sort', () => {
  it('sorts on the server by a whitelisted column, either way, and refuses any other', async () => {
    const m = as(h, 'manager');
    const by = async (sort: string, dir: string) =>
      numbers(await m.get(`/v1/invoices?q=${token}&sort=${sort}&dir=${dir}`).expect(200));
    expect(await by('balance', 'desc')).toEqual([rossi2.number, bianchi.number, rossi.number]);
    expect(await by('balance', 'asc')).toEqual([rossi.number, bianchi.number, rossi2.number]);
    expect(await by('daysOverdue', 'desc')).toEqual([rossi.number, bianchi.number, rossi2.number]);
    expect(await by('customer', 'asc')).toEqual([bianchi.number, rossi.number, rossi2.number]);
    expect(await by('number', 'desc')).toEqual([rossi2.number, bianchi.number, rossi.number]);
    const bad = await m.get('/v1/invoices?sort=amountMinor;DROP&dir=sideways').expect(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['dir', 'sort']);
  });
});

describe('saved filters', () => {
  it('keeps a person’s named filters, replaces one by name, and shows them to nobody else', async () => {
    const giulia = as(h, 'collector');
    const name = uniq('Vecchi Nord');
    const created = await giulia
      .post('/v1/saved-filters')
      .send({ name, query: { q: token, overdueMin: '30', sort: 'balance', dir: 'desc' } })
      .expect(201);
    expect(created.body).toMatchObject({ name, query: { q: token, overdueMin: '30' } });
    const replaced = await giulia
      .post('/v1/saved-filters')
      .send({ name, query: { q: token, sort: 'dueDate' } })
      .expect(200);
    expect(replaced.body.filterId).toBe(created.body.filterId);
    // Other test files share this stack and Giulia: look only at this test's filter.
    const ours = (items: Array<{ name: string }>) => items.filter((f) => f.name === name);
    const mine = await giulia.get('/v1/saved-filters').expect(200);
    expect(ours(mine.body.items)).toEqual([expect.objectContaining({ name, query: { q: token, sort: 'dueDate' } })]);
    const marco = await as(h, 'collector2').get('/v1/saved-filters').expect(200);
    expect(marco.body.items.map((f: { name: string }) => f.name)).not.toContain(name);
    // Marco cannot delete Giulia's filter; she can.
    await request(h.app)
      .delete(`/v1/saved-filters/${created.body.filterId}`)
      .set({ Authorization: `Bearer ${KEYS.collector2}` })
      .expect(404);
    await request(h.app)
      .delete(`/v1/saved-filters/${created.body.filterId}`)
      .set({ Authorization: `Bearer ${KEYS.collector}` })
      .expect(204);
    expect(ours((await giulia.get('/v1/saved-filters').expect(200)).body.items)).toEqual([]);
  });

  it('refuses a query the list would refuse, and writes nothing', async () => {
    const giulia = as(h, 'collector');
    const before = await h.db.savedFilter.count();
    const res = await giulia
      .post('/v1/saved-filters')
      .send({ name: 'broken', query: { sort: 'password', nope: '1' } })
      .expect(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['query.nope', 'query.sort']);
    expect(await h.db.savedFilter.count()).toBe(before);
  });
});
