/**
 * Rating-routed cadence through the API and the real workflows: a segment's policy sends customers of some grades
 * to another policy key (a track). Routes are validated; a route change, a new invoice, a track's new version and a
 * rating recomputation each put the customer's open invoices on the right track.
 */
import { invoiceStateQuery } from '../../workflows/contract';
import { as, newInvoice, quietSegment, quietSteps, snapshot } from './api-helpers';
import { eventually, secondsSettings, startHarness, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

const policyBody = (name: string, firstOffset: string, ratingRoutes?: Record<string, string>) => ({
  name,
  steps: [{ ...quietSteps[0], offset: firstOffset }, quietSteps[1]],
  settings: { ...secondsSettings, ...(ratingRoutes ? { ratingRoutes } : {}) },
});

const policyOf = async (workflowId: string) =>
  (await h.client.workflow.getHandle(workflowId).query(invoiceStateQuery)).policy;

async function onTrack(workflowId: string, segment: string, version: number): Promise<void> {
  await eventually(async () => {
    const p = await policyOf(workflowId);
    return p.segment === segment && p.version === version;
  }, 30_000);
}

/** The latest rollout of a policy key, once it is DONE. */
async function rolloutDone(key: string): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const r = await as(h, 'manager').get(`/v1/policies/${key}/rollout`);
    return r.status === 200 && r.body.rollout.status === 'DONE' ? (r.body.rollout as Record<string, unknown>) : null;
  }, 60_000);
}

test('a policy change is a durable rollout: answered at once, a newer change supersedes it, progress is readable', async () => {
  const seg = await quietSegment(h);
  const invoices = [await newInvoice(h, seg), await newInvoice(h, seg), await newInvoice(h, seg)];
  await eventually(
    async () =>
      (
        await h.client.workflow.count(
          `Segment = '${seg}' AND ExecutionStatus = 'Running' AND WorkflowType = 'invoiceWorkflow'`,
        )
      ).count === 3,
    30_000,
  );
  expect((await as(h, 'manager').get(`/v1/policies/${seg}/rollout`)).status).toBe(404);

  // Two changes in a row: the second terminates the first's rollout if it is still running, and every invoice ends
  // on the newest version.
  const v2 = await as(h, 'manager').put(`/v1/policies/${seg}`).send(policyBody('v2', 'P25D'));
  const v3 = await as(h, 'manager').put(`/v1/policies/${seg}`).send(policyBody('v3', 'P26D'));
  expect([v2.status, v3.status]).toEqual([201, 201]);
  expect(v2.body.rollout).toMatchObject({ version: 2, status: 'RUNNING', previousVersion: 1 });
  expect(v3.body.rollout).toMatchObject({ version: 3, status: 'RUNNING' });
  const done = await rolloutDone(seg);
  expect(done).toMatchObject({ version: 3, notified: 3, pages: 1, segments: [seg] });
  for (const inv of invoices) await onTrack(inv.workflowId, seg, 3);

  // One execution per key: the latest is the v3 rollout; the v2 one completed or was superseded (terminated).
  const runs = [];
  for await (const wf of h.client.workflow.list({ query: `WorkflowId = 'policy-rollout-${seg}'` })) runs.push(wf);
  expect(runs.map((r) => r.status.name).sort()).toEqual(
    runs.length === 1 ? ['COMPLETED'] : expect.arrayContaining(['COMPLETED']),
  );
  expect(runs.every((r) => ['COMPLETED', 'TERMINATED'].includes(r.status.name))).toBe(true);
});

test('routes are checked; rating E goes to the strict track and comes back when the rating improves', async () => {
  const base = await quietSegment(h);
  const strict = `${base}-strict`;
  const created = await as(h, 'manager').put(`/v1/policies/${strict}`).send(policyBody('strict', 'P20D'));
  expect(created.status).toBe(201);

  // A route to a missing policy or to itself is a 400 naming the grade; nothing is written.
  const before = await snapshot(h);
  const missing = await as(h, 'manager')
    .put(`/v1/policies/${base}`)
    .send(policyBody('routed', 'P30D', { E: `${base}-nowhere`, D: base }));
  expect(missing.status).toBe(400);
  expect(missing.body.error.fields).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ path: 'settings.ratingRoutes.E', message: expect.stringContaining('does not exist') }),
      expect.objectContaining({ path: 'settings.ratingRoutes.D', message: expect.stringContaining('to itself') }),
    ]),
  );
  const badGrade = await as(h, 'manager')
    .put(`/v1/policies/${base}`)
    .send(policyBody('routed', 'P30D', { F: strict }));
  expect(badGrade.status).toBe(400);
  expect(badGrade.body.error.fields.map((f: { path: string }) => f.path).join()).toContain('settings.ratingRoutes');
  expect(await snapshot(h)).toMatchObject({ policies: before.policies });

  // A customer rated C gets an invoice on the segment's own policy; the ERP-side rating then says E.
  const first = await newInvoice(h, base);
  expect(await policyOf(first.workflowId)).toEqual({ segment: base, version: 1 });
  await h.db.customer.update({ where: { id: first.customerId }, data: { rating: 'E' } });

  // Routing E to the strict track moves that customer's open invoice at once (after it adopted base v2 itself).
  const routed = await as(h, 'manager')
    .put(`/v1/policies/${base}`)
    .send(policyBody('routed', 'P30D', { E: strict }));
  expect(routed.status).toBe(201);
  expect(await rolloutDone(base)).toMatchObject({ version: 2, rerouted: { customers: 1, invoices: 1, signalled: 1 } });
  await onTrack(first.workflowId, strict, 1);
  const history = (await h.client.workflow.getHandle(first.workflowId).query(invoiceStateQuery)).history;
  expect(history.at(-1)?.summary).toBe(
    `rating E (routes of ${base} v2): policy ${base} v2 → ${strict} v1, pending deadline recomputed`,
  );

  // A new invoice of the E customer starts on the track.
  const customer = await h.db.customer.findUniqueOrThrow({ where: { id: first.customerId } });
  const second = await newInvoice(h, base, { customerId: customer.externalId });
  expect(second.customerId).toBe(first.customerId);
  expect(await policyOf(second.workflowId)).toEqual({ segment: strict, version: 1 });

  // A new version of the track reaches the invoices that follow it, though their segment is the base one.
  const strict2 = await as(h, 'manager').put(`/v1/policies/${strict}`).send(policyBody('strict, sooner', 'P10D'));
  expect(strict2.status).toBe(201);
  expect(await rolloutDone(strict)).toMatchObject({ version: 2, notified: 2, segments: [strict, base] });
  await onTrack(first.workflowId, strict, 2);
  await onTrack(second.workflowId, strict, 2);

  // Recomputing the rating from the customer's real record (two invoices a few days late, no broken promise, no
  // dispute) gives a better grade than E: both invoices return to the segment's own policy.
  const rating = await as(h, 'manager').post(`/v1/reports/ratings/${first.customerId}/recompute`).send({});
  expect(rating.status).toBe(200);
  expect(rating.body.rating).not.toBe('E');
  await onTrack(first.workflowId, base, 2);
  await onTrack(second.workflowId, base, 2);
});
