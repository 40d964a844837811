/**
 * The statement of account against the real stack (PostgreSQL, Temporal, a worker): invoices, a payment and a credit
 * note go in through the ERP routes and reach the workflows; `GET /v1/customers/:id/statement` answers JSON with the
 * running balance and the B2B interest (null, with the half-year named, while its reference rate is not entered;
 * computed by domain/interest.ts once it is), and the PDF read back with pdftotext in Italian and English. Roles and
 * the collector scope are those of the customer routes; bad input is refused naming the field.
 */
import fs from 'node:fs';
import { simpleParser } from 'mailparser';
import { halfYearStart, computeLateInterest } from '../../domain/interest';
import { BUNDLED_REFERENCE_RATES, mergeRates } from '../../domain/reference-rates';
import { daysOverdue, todayIn } from '../../domain/time';
import { termEndOfRow } from '../../contexts/intake/term-end';
import { customerStateQuery, customerWorkflowId, invoiceWorkflowId } from '../../workflows/contract';
import { hashToken, portalBaseUrl } from '../../contexts/portal/links';
import { hasPoppler, pdfQrCodes, pdfText } from '../fakes/pdf';
import { as, newInvoice, quietSegment } from './api-helpers';
import { eventually, isoDaysFromToday, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
});
afterAll(async () => {
  // A rate entered by this file must not outlive it: the shared database would then hold an invented rate.
  await h?.db.referenceRate.deleteMany({ where: { source: { startsWith: 'TEST ONLY statements' } } });
  await h?.close();
});

test('statement of a B2B customer: ledger, interest, PDF, roles and bad input', async () => {
  const segment = await quietSegment(h);
  const customer = uniq('CUST');
  const a = await newInvoice(h, segment, { customerId: customer, amountMinor: 100_000, dueInDays: -20 });
  const b = await newInvoice(h, segment, { customerId: customer, amountMinor: 50_000, dueInDays: 20 });
  const c = await newInvoice(h, segment, { customerId: customer, amountMinor: 30_000, dueInDays: -10 });
  const paidOn = isoDaysFromToday(-5);
  const pay = await as(h, 'erp')
    .post(`/v1/invoices/${a.invoiceId}/payments`)
    .send({ reference: uniq('PAY'), amountMinor: 40_000, paidOn });
  expect(pay.status).toBeLessThan(300);
  const note = await as(h, 'erp')
    .post(`/v1/invoices/${b.invoiceId}/adjustments`)
    .send({ reference: uniq('NC'), kind: 'CREDIT_NOTE', amountMinor: 10_000 });
  expect(note.status).toBeLessThan(300);
  // The workflows apply them and the mirror shows the new balances.
  await eventually(async () => {
    const rows = await h.db.invoice.findMany({ where: { id: { in: [a.invoiceId, b.invoiceId] } } });
    return rows.every((r) => Number(r.balanceMinor) === (r.id === a.invoiceId ? 60_000 : 40_000));
  }, 120_000).catch(async (e: Error) => {
    // Say where it stopped: the ERP calls' answers and the mirror's rows.
    const rows = await h.db.invoice.findMany({ where: { id: { in: [a.invoiceId, b.invoiceId] } } });
    const seen = rows.map((r) => `${r.externalNumber} ${r.stage} ${r.balanceMinor} seq ${r.mirrorSeq}`).join('; ');
    const live = await as(h, 'manager').get(`/v1/invoices/${a.invoiceId}/state?live=true`);
    const timeline = (await h.db.timelineEntry.findMany({ where: { invoiceId: a.invoiceId }, orderBy: { at: 'asc' } }))
      .map((t) => `${t.at.toISOString()} ${t.kind}`)
      .join('; ');
    throw new Error(
      `${e.message}; payment ${pay.status} ${JSON.stringify(pay.body)}, credit note ${note.status}; mirror: ${seen}; ` +
        `mirrorAt ${rows.map((r) => r.mirrorAt?.toISOString()).join(', ')}; timeline of the first: ${timeline}; ` +
        `live: ${live.status} ${live.body.balanceMinor}`,
    );
  });
  // A payment the intake recorded while Temporal was unreachable (its outbox row not signalled yet).
  const pending = uniq('PAY');
  await h.db.payment.create({
    data: { invoiceId: c.invoiceId, reference: pending, amountMinor: 5_000n, paidOn: new Date(`${paidOn}T00:00:00Z`) },
  });

  const today = todayIn(h.config.SEGUGIO_TZ);
  const half = halfYearStart(today);
  const rates = await as(h, 'collector').get('/v1/reference-rates');
  const provisional = rates.body.provisional === true;

  const res = await as(h, 'collector').get(`/v1/customers/${a.customerId}/statement`);
  expect(res.status).toBe(200);
  expect(res.type).toBe('application/json');
  const st = res.body;
  expect(st.asOf).toBe(today);
  expect(st.customer).toMatchObject({ externalId: customer, consumer: false, language: 'it' });
  expect(st.sections).toHaveLength(1);
  const eur = st.sections[0];
  expect(eur.currency).toBe('EUR');
  // a +1,000.00; payment −400.00; c +300.00; b +500.00; credit note −100.00; the pending payment −50.00.
  expect(eur.lines.map((l: { kind: string; balanceMinor: number }) => [l.kind, l.balanceMinor])).toEqual([
    ['INVOICE', 100_000],
    ['PAYMENT', 60_000],
    ['INVOICE', 90_000],
    ['INVOICE', 140_000],
    ['CREDIT_NOTE', 130_000],
    ['UNMATCHED_PAYMENT', 125_000],
  ]);
  // Days overdue count from the term end, which a Sunday or a holiday moves (art. 1187 c.c.): read it from the row.
  const overdue = async (invoiceId: string) =>
    daysOverdue(termEndOfRow(await h.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } })), today);
  expect(await overdue(a.invoiceId)).toBeGreaterThanOrEqual(18);
  expect(eur.lines[0]).toMatchObject({
    invoiceNumber: a.number,
    daysOverdue: await overdue(a.invoiceId),
    status: 'OVERDUE',
    openMinor: 60_000,
  });
  expect(eur.lines[3]).toMatchObject({
    invoiceNumber: b.number,
    daysOverdue: await overdue(b.invoiceId),
    status: 'NOT_DUE',
  });
  expect(eur.totals).toEqual({
    debitMinor: 180_000,
    creditMinor: 55_000,
    balanceMinor: 125_000,
    overdueMinor: 90_000,
    notDueMinor: 40_000,
  });
  expect(eur.interest.compensationMinor).toBe(8_000);
  expect(eur.interest.lines.map((l: { invoiceNumber: string }) => l.invoiceNumber)).toEqual([a.number, c.number]);
  if (provisional) {
    // The half-year's reference rate is not entered: no figure, the half-year named.
    expect(eur.interest).toMatchObject({ interestMinor: null, totalDueMinor: null, missingRates: [half] });
  }

  // Once the rate is entered (test-only figure), the interest is the letters' computation to the cent.
  if (provisional) {
    await h.db.referenceRate.create({
      data: { validFrom: new Date(`${half}T00:00:00Z`), rateBp: 200, source: 'TEST ONLY statements: not a real rate' },
    });
  }
  const table = mergeRates(
    BUNDLED_REFERENCE_RATES,
    (await h.db.referenceRate.findMany()).map((r) => ({
      validFrom: r.validFrom.toISOString().slice(0, 10),
      rateBp: r.rateBp,
    })),
  );
  const expectA = computeLateInterest({
    principalMinor: 100_000,
    dueDate: isoDaysFromToday(-20),
    asOf: today,
    payments: [{ date: paidOn, amountMinor: 40_000 }],
    currency: 'EUR',
    referenceRates: table,
  });
  const expectC = computeLateInterest({
    principalMinor: 30_000,
    dueDate: isoDaysFromToday(-10),
    asOf: today,
    payments: [{ date: paidOn, amountMinor: 5_000 }],
    currency: 'EUR',
    referenceRates: table,
  });
  const again = (await as(h, 'manager').get(`/v1/customers/${customer}/statement?asOf=${today}`)).body;
  expect(again.sections[0].interest).toMatchObject({
    missingRates: [],
    interestMinor: expectA.interestMinor + expectC.interestMinor,
    totalDueMinor: 125_000 + expectA.interestMinor + expectC.interestMinor + 8_000,
  });
  expect(expectA.interestMinor).toBeGreaterThan(0);

  // The PDF, in the customer's language and in English, read back.
  if (hasPoppler()) {
    const it = await as(h, 'collector').get(`/v1/customers/${a.customerId}/statement?format=pdf`).buffer(true);
    expect(it.status).toBe(200);
    expect(it.headers['content-type']).toMatch(/^application\/pdf/);
    expect(it.headers['content-disposition']).toContain(`estratto-conto-${customer}-${today}.pdf`);
    const text = pdfText(it.body as Buffer);
    for (const s of [
      'Estratto conto al',
      'Ferramenta Lombarda S.r.l.',
      a.number,
      b.number,
      c.number,
      '1.000,00 €',
      '1.250,00 €',
      'Nota di credito',
      'Pagamento ricevuto, in corso di abbinamento',
      'Interessi moratori e risarcimento forfettario',
      '80,00 €',
      h.config.LETTERHEAD_IBAN,
    ])
      expect(text).toContain(s);
    const en = await as(h, 'manager')
      .get(`/v1/customers/${a.customerId}/statement?lang=en`)
      .set('Accept', 'application/pdf')
      .buffer(true);
    expect(en.status).toBe(200);
    expect(en.headers['content-type']).toMatch(/^application\/pdf/);
    const entext = pdfText(en.body as Buffer);
    expect(entext).toContain('Statement of account as at');
    expect(entext).toContain('€1,250.00');
  }

  // Roles and scope: another collector's customer, the ERP key; bad input names the field.
  expect((await as(h, 'collector2').get(`/v1/customers/${a.customerId}/statement`)).status).toBe(403);
  expect((await as(h, 'erp').get(`/v1/customers/${a.customerId}/statement`)).status).toBe(403);
  expect((await as(h, 'manager').get(`/v1/customers/${uniq('NOPE')}/statement`)).status).toBe(404);
  for (const [query, field] of [
    [`asOf=${isoDaysFromToday(-1)}`, 'asOf'],
    ['asOf=2026-02-30', 'asOf'],
    ['format=docx', 'format'],
    ['lang=de', 'lang'],
  ]) {
    const bad = await as(h, 'manager').get(`/v1/customers/${a.customerId}/statement?${query}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toContain(field);
  }
  const unknown = await as(h, 'manager').get(`/v1/customers/${a.customerId}/statement?colour=red`);
  expect(unknown.status).toBe(400);
});

test('sending on demand: through the customer workflow, once per Idempotency-Key, a contact event with the PDF', async () => {
  const segment = await quietSegment(h);
  const inv = await newInvoice(h, segment, { amountMinor: 120_000, dueInDays: -3 });
  const url = `/v1/customers/${inv.customerId}/statement/send`;

  // Refused requests name the field and send nothing.
  const noKey = await as(h, 'collector').post(url).send({});
  expect(noKey.status).toBe(400);
  expect(noKey.body.error.fields[0].path).toBe('Idempotency-Key');
  const noPec = await as(h, 'collector').post(url).set('Idempotency-Key', uniq('k')).send({ channel: 'PEC' });
  expect(noPec.status).toBe(400);
  expect(noPec.body.error.fields[0].path).toBe('channel');
  const unknown = await as(h, 'collector').post(url).set('Idempotency-Key', uniq('k')).send({ colour: 'red' });
  expect(unknown.status).toBe(400);
  expect((await as(h, 'collector2').post(url).set('Idempotency-Key', uniq('k')).send({})).status).toBe(403);
  expect((await as(h, 'erp').post(url).set('Idempotency-Key', uniq('k')).send({})).status).toBe(403);

  const key = uniq('send');
  const first = await as(h, 'collector').post(url).set('Idempotency-Key', key).send({ lang: 'en' });
  expect(first.status).toBe(202);
  expect(first.body).toMatchObject({
    customerId: inv.customerId,
    channel: 'EMAIL',
    status: 'QUEUED',
    duplicate: false,
  });
  const again = await as(h, 'collector').post(url).set('Idempotency-Key', key).send({ lang: 'en' });
  expect(again.status).toBe(202);
  expect(again.body.duplicate).toBe(true);

  const event = await eventually(
    () =>
      h.db.contactEvent.findFirst({
        where: { customerId: inv.customerId, template: 'statement', status: { not: 'PENDING' } },
      }),
    120_000,
  );
  expect(event).toMatchObject({ channel: 'EMAIL', status: 'QUEUED', provider: 'outbox', language: 'en' });
  expect(event.recipient).toBe('amministrazione@ferramenta.example');
  expect(event.idempotencyKey).toMatch(/^statement:.*:console:.*:EMAIL:0$/);
  expect(event.invoiceIds).toEqual([inv.invoiceId]);
  const letter = await h.db.letter.findUniqueOrThrow({ where: { id: event.letterId! } });
  expect(letter).toMatchObject({ template: 'statement', language: 'en', customerId: inv.customerId });
  if (hasPoppler()) {
    const text = pdfText(fs.readFileSync(letter.path));
    expect(text).toContain('Statement of account as at');
    expect(text).toContain(inv.number);
    expect(text).toContain('€1,200.00');
  }
  const mail = await simpleParser(fs.readFileSync(event.filePath!));
  expect(mail.subject).toContain('statement of account as at');
  expect(mail.text).toContain('Balance owed by you: €1,200.00');
  expect(mail.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
  expect(mail.attachments[0].content.equals(fs.readFileSync(letter.path))).toBe(true);

  // One contact in the budget, one audit event, and nothing sent twice.
  await new Promise((r) => setTimeout(r, 2_000));
  expect(await h.db.contactEvent.count({ where: { customerId: inv.customerId, template: 'statement' } })).toBe(1);
  expect(await h.db.auditEvent.count({ where: { action: 'customer.statement.send', entityId: inv.customerId } })).toBe(
    1,
  );
  const state = await h.client.workflow
    .getHandle(customerWorkflowId(inv.customerId))
    .query(customerStateQuery)
    .catch(() => null);
  if (state) expect(state.recentContacts.some((c) => c.idempotencyKey === event.idempotencyKey)).toBe(true);
});

test('a statement sent to the debtor carries their one live portal link, as a QR code and a short address', async () => {
  const segment = await quietSegment(h);
  const inv = await newInvoice(h, segment, { amountMinor: 86_000, dueInDays: -12 });
  const url = `/v1/customers/${inv.customerId}/statement/send`;
  const sent = async (key: string) => {
    expect((await as(h, 'collector').post(url).set('Idempotency-Key', key).send({})).status).toBe(202);
    const event = await eventually(
      () =>
        h.db.contactEvent.findFirst({
          where: {
            customerId: inv.customerId,
            template: 'statement',
            status: { not: 'PENDING' },
            idempotencyKey: { contains: key },
          },
        }),
      120_000,
    );
    const letter = await h.db.letter.findUniqueOrThrow({ where: { id: event.letterId! } });
    return { event, pdf: fs.readFileSync(letter.path) };
  };

  const first = await sent(uniq('stmt-link'));
  // The customer's one live link, recorded on the contact.
  const links = await h.db.portalLink.findMany({ where: { customerId: inv.customerId } });
  expect(links).toHaveLength(1);
  const [link] = links;
  expect(link).toMatchObject({ currentFor: inv.customerId, revokedAt: null });
  expect(first.event.portalLinkId).toBe(link.id);

  // Read back from the paper: the QR code on the rendered page and the address printed beside it open that link.
  const [qr] = pdfQrCodes(first.pdf).filter(Boolean);
  expect(qr?.startsWith(`${portalBaseUrl(h.config)}/p/`)).toBe(true);
  expect(qr).toMatch(/\/p\/[a-z2-7]{26}$/);
  const token = qr!.split('/p/')[1];
  expect(hashToken(token)).toBe(link.tokenHash);
  const text = pdfText(first.pdf);
  expect(text).toContain('La sua pagina personale');
  expect(text).toContain(`Inquadri il codice QR o digiti l’indirizzo: ${qr!.replace(/^https?:\/\//, '')}`);
  // The e-mail that carries the PDF names the same link.
  const mail = await simpleParser(fs.readFileSync(first.event.filePath!));
  expect(mail.text).toContain(qr);

  // A second statement reuses the live link (never a second one) and pushes its expiry.
  await new Promise((r) => setTimeout(r, 50));
  const second = await sent(uniq('stmt-link'));
  expect(pdfQrCodes(second.pdf).filter(Boolean)).toEqual([qr]);
  const after = await h.db.portalLink.findMany({ where: { customerId: inv.customerId } });
  expect(after.map((l) => l.id)).toEqual([link.id]);
  expect(after[0].expiresAt.getTime()).toBeGreaterThan(link.expiresAt.getTime());
  expect(second.event.portalLinkId).toBe(link.id);

  // The token is in the PDF and the e-mail only: never in the workflows' histories.
  for (const id of [customerWorkflowId(inv.customerId), invoiceWorkflowId(inv.invoiceId)]) {
    const history = await h.client.workflow.getHandle(id).fetchHistory();
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (v instanceof Uint8Array) strings.push(Buffer.from(v).toString('utf8'));
      else if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(history);
    expect(strings.join('\n')).toContain(inv.customerId);
    expect(strings.join('\n')).not.toContain(token);
  }
});
