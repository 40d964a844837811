/**
 * The invoice row mirrors the workflow's newest record even when the records of one batch are written by concurrent
 * activities, or a retried one lands late; the timeline keeps every entry; the stage spells follow the row.
 */
import { createPersistenceActivities } from '../../activities/persistence';
import type { TransitionRecord } from '../../activities/types';
import { createDb, type Db } from '../../infra/db';
import { uniq } from './harness';

// Real PostgreSQL and real SDKs against local servers: a first PDF render or a cold connection pool takes seconds on
// a loaded CI machine, beyond Jest's 5 s default.
jest.setTimeout(30_000);

let db: Db;
beforeAll(() => {
  db = createDb(process.env.DATABASE_URL ?? '', 4);
});
afterAll(async () => {
  await db?.$disconnect();
});

async function invoice(): Promise<string> {
  const customerId = uniq('mo-c');
  await db.customer.create({
    data: { id: customerId, externalId: customerId, name: 'Ordine S.r.l.', segment: 'standard' },
  });
  const id = uniq('mo-i');
  await db.invoice.create({
    data: {
      id,
      externalNumber: id,
      customerId,
      currency: 'EUR',
      amountMinor: 100_000n,
      balanceMinor: 100_000n,
      issueDate: new Date('2026-09-01T00:00:00Z'),
      dueDate: new Date('2026-10-01T00:00:00Z'),
      stage: 'OPEN',
      segment: 'standard',
      workflowId: `invoice-${id}`,
    },
  });
  return id;
}

const record = (
  invoiceId: string,
  at: string,
  seq: number | undefined,
  stage: TransitionRecord['stage'],
  kind: TransitionRecord['entry']['kind'],
  balanceMinor: number,
): TransitionRecord => ({
  invoiceId,
  stage,
  balanceMinor,
  nextActionAt: null,
  nextActionKind: null,
  entry: { at, kind, stage, summary: `${kind} ${stage} ${balanceMinor}` },
  ...(seq === undefined ? {} : { seq }),
});

test('a batch written in the wrong order, and a late retry, leave the newest state', async () => {
  const { recordTransition } = createPersistenceActivities({ db });
  const id = await invoice();
  const at = '2026-10-05T08:00:00.000Z';
  // One workflow task recorded a payment (seq 7) and the closing (seq 8) at the same instant: the closing is written
  // first, the payment after it.
  await recordTransition(record(id, at, 8, 'PAID', 'STAGE', 0));
  await recordTransition(record(id, at, 7, 'REMINDER', 'PAYMENT', 0));
  let row = await db.invoice.findUniqueOrThrow({ where: { id } });
  expect([row.stage, Number(row.balanceMinor), row.mirrorSeq]).toEqual(['PAID', 0, 8]);
  expect(row.closedAt?.toISOString()).toBe(at);
  // A retry of an older batch (earlier workflow time) lands now: ignored for the row, kept in the timeline.
  await recordTransition(record(id, '2026-10-04T08:00:00.000Z', 12, 'REMINDER', 'STAGE', 100_000));
  row = await db.invoice.findUniqueOrThrow({ where: { id } });
  expect(row.stage).toBe('PAID');
  expect(await db.timelineEntry.count({ where: { invoiceId: id } })).toBe(3);
  // Every entry also writes once: the same record again adds nothing.
  await recordTransition(record(id, at, 8, 'PAID', 'STAGE', 0));
  expect(await db.timelineEntry.count({ where: { invoiceId: id } })).toBe(3);
  // The stays follow the timeline: REMINDER entered on the 4th, closed by PAID on the 5th.
  const spells = await db.stageSpell.findMany({ where: { invoiceId: id }, orderBy: { enteredAt: 'asc' } });
  expect(spells.map((s) => [s.stage, s.leftOn?.toISOString().slice(0, 10) ?? null])).toEqual([
    ['OPEN', '2026-10-04'],
    ['REMINDER', '2026-10-05'],
  ]);
});

test('concurrent writes of one batch end on the record with the highest counter', async () => {
  const { recordTransition } = createPersistenceActivities({ db });
  const id = await invoice();
  const at = '2026-10-06T09:30:00.000Z';
  const batch = [
    record(id, at, 1, 'REMINDER', 'PAYMENT', 60_000),
    record(id, at, 2, 'REMINDER', 'PAYMENT', 30_000),
    record(id, at, 3, 'PAID', 'STAGE', 0),
  ];
  for (let round = 0; round < 5; round++) {
    await Promise.all([...batch].sort(() => Math.random() - 0.5).map((r) => recordTransition(r)));
    const row = await db.invoice.findUniqueOrThrow({ where: { id } });
    expect([row.stage, Number(row.balanceMinor)]).toEqual(['PAID', 0]);
  }
});

test('a record without a counter (a workflow started before it existed) still updates the row', async () => {
  const { recordTransition } = createPersistenceActivities({ db });
  const id = await invoice();
  await recordTransition(record(id, '2026-10-07T10:00:00.000Z', undefined, 'REMINDER', 'STAGE', 100_000));
  const row = await db.invoice.findUniqueOrThrow({ where: { id } });
  expect([row.stage, row.mirrorSeq]).toEqual(['REMINDER', null]);
});
