/**
 * A fake ERP implementing Segugio's REST contract (contexts/erp/rest.ts): verifies the HMAC signature of every
 * request, records it, remembers idempotency keys (GET /requests/{key}), and can be told to fail.
 */
import express from 'express';
import { verifyErpSignature } from '../../contexts/erp/signature';
import { listen, type RunningFake } from './http';

export interface ErpRecorded {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: Record<string, unknown> | null;
}

export interface FakeErp extends RunningFake {
  requests: ErpRecorded[];
  /** Status codes to answer the next POSTs with, in order (e.g. [503, 503] then success). */
  failures: number[];
  payments: Array<{ invoiceNumber: string; reference: string; amountMinor: number; paidOn: string }>;
}

export async function startFakeErp(secret: string): Promise<FakeErp> {
  const app = express();
  app.use(express.raw({ type: () => true }));
  const state = { requests: [] as ErpRecorded[], failures: [] as number[], payments: [] as FakeErp['payments'] };
  const seen = new Set<string>();

  app.use((req, res, next) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = verifyErpSignature({
      secret,
      timestamp: req.get('x-segugio-timestamp'),
      signature: req.get('x-segugio-signature'),
      body,
      nowSeconds: Math.floor(Date.now() / 1000),
      toleranceSeconds: 300,
    });
    if (!check.ok) {
      res.status(401).json({ error: check.reason });
      return;
    }
    next();
  });

  app.get('/requests/:key', (req, res) => {
    res.status(seen.has(String(req.params.key)) ? 200 : 404).json({});
  });
  app.get('/payments', (_req, res) => {
    res.json({ payments: state.payments });
  });
  app.get('/open-items', (_req, res) => {
    res.json({ items: [] });
  });
  app.post(/.*/, (req, res) => {
    const key = req.get('idempotency-key');
    const body = req.body.length ? (JSON.parse(req.body.toString('utf8')) as Record<string, unknown>) : null;
    state.requests.push({ method: 'POST', path: req.path, idempotencyKey: key, body });
    const fail = state.failures.shift();
    if (fail) {
      res.status(fail).json({ error: 'simulated' });
      return;
    }
    if (key) seen.add(key);
    res.status(200).json({ ok: true });
  });

  const running = await listen(app);
  return Object.assign(state, running) as FakeErp;
}
