/**
 * The remote codec endpoint for the Temporal UI and CLI (`POST /codec/decode`, `/codec/encode`): the UI sends the
 * encrypted payloads of a history it shows and displays what comes back, so an operator with a manager or admin key
 * reads notes and inputs in clear while the Temporal server only ever stores ciphertext. Body and answer follow
 * Temporal's codec protocol: `{ "payloads": [{ "metadata": { "<k>": "<base64>" }, "data": "<base64>" }] }`.
 */
import express, { type RequestHandler, Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { requireRole } from '../contexts/access/auth';
import { badRequest, HttpError } from '../contexts/errors';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export function codecRouter(opts: { codec?: PayloadCodec; auth: RequestHandler[]; corsOrigin?: string }): Router {
  const r = Router();
  // The Temporal UI calls from its own origin: allow exactly that one, with the Authorization header it forwards.
  r.use('/codec', (req, res, next) => {
    if (opts.corsOrigin) {
      res.setHeader('Access-Control-Allow-Origin', opts.corsOrigin);
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });
  for (const op of ['encode', 'decode'] as const) {
    r.post(
      `/codec/${op}`,
      express.json({ limit: '4mb' }),
      ...opts.auth,
      requireRole('manager'),
      async (req, res, next) => {
        try {
          if (!opts.codec)
            throw new HttpError(404, 'NOT_FOUND', 'payload encryption is off (SEGUGIO_PAYLOAD_KEY is not set)');
          const payloads = (req.body as { payloads?: unknown })?.payloads;
          if (!Array.isArray(payloads))
            throw badRequest('request is not valid', [{ path: 'payloads', message: 'must be an array of payloads' }]);
          const out = await opts.codec[op](payloads.map((p) => fromJson(p as JsonPayload)));
          res.json({ payloads: out.map(toJson) });
        } catch (err) {
          next(err);
        }
      },
    );
  }
  return r;
}
