/**
 * A fake SendGrid v3 API speaking the parts Segugio uses: POST /v3/mail/send (202 + X-Message-Id) and the Email
 * Activity API GET /v3/messages?query=unique_args['k']="v". Every request is recorded for assertions.
 */
import crypto from 'node:crypto';
import express from 'express';
import { listen, type RunningFake } from './http';

export interface SendGridMailRequest {
  authorization: string | undefined;
  body: {
    personalizations: Array<{ to: Array<{ email: string; name?: string }>; custom_args?: Record<string, string> }>;
    from: { email: string; name?: string };
    subject: string;
    content: Array<{ type: string; value: string }>;
    attachments?: Array<{ content: string; filename: string; type?: string; disposition?: string }>;
    custom_args?: Record<string, string>;
    headers?: Record<string, string>;
  };
  messageId: string;
}

export interface FakeSendGrid extends RunningFake {
  mails: SendGridMailRequest[];
  /** Answer the Email Activity API with 403, like an account without the add-on. */
  activityApi: boolean;
  /** Next mail/send answers with this status instead of 202. */
  failNext: number | null;
}

export async function startFakeSendGrid(apiKey: string): Promise<FakeSendGrid> {
  const app = express();
  app.use(express.json({ limit: '30mb' }));
  const state = { mails: [] as SendGridMailRequest[], activityApi: true, failNext: null as number | null };

  const authorized = (h: string | undefined): boolean => h === `Bearer ${apiKey}`;

  app.post('/v3/mail/send', (req, res) => {
    if (!authorized(req.get('authorization'))) {
      res
        .status(401)
        .json({ errors: [{ message: 'The provided authorization grant is invalid, expired, or revoked' }] });
      return;
    }
    if (state.failNext) {
      const status = state.failNext;
      state.failNext = null;
      res.status(status).json({ errors: [{ message: 'simulated failure', field: null }] });
      return;
    }
    const b = req.body as SendGridMailRequest['body'];
    const errors: Array<{ message: string; field: string }> = [];
    if (!b?.personalizations?.[0]?.to?.[0]?.email) errors.push({ message: 'required', field: 'personalizations.0.to' });
    if (!b?.from?.email) errors.push({ message: 'required', field: 'from.email' });
    if (!b?.subject) errors.push({ message: 'required', field: 'subject' });
    if (!b?.content?.length) errors.push({ message: 'required', field: 'content' });
    if (errors.length) {
      res.status(400).json({ errors });
      return;
    }
    const messageId = crypto.randomBytes(11).toString('base64url');
    state.mails.push({ authorization: req.get('authorization'), body: b, messageId });
    res.status(202).set('X-Message-Id', messageId).end();
  });

  app.get('/v3/messages', (req, res) => {
    if (!authorized(req.get('authorization')) || !state.activityApi) {
      res.status(403).json({ errors: [{ message: 'access forbidden' }] });
      return;
    }
    const q = String(req.query.query ?? '');
    const m = /^unique_args\['([^']+)'\]="([^"]*)"$/.exec(q);
    const hits = m
      ? state.mails.filter(
          (mail) => (mail.body.custom_args ?? mail.body.personalizations[0].custom_args ?? {})[m[1]] === m[2],
        )
      : [];
    res.json({
      messages: hits.map((h) => ({
        msg_id: `${h.messageId}.filterdrecv-0-1`,
        to_email: h.body.personalizations[0].to[0].email,
        subject: h.body.subject,
        status: 'processed',
      })),
    });
  });

  const running = await listen(app);
  return Object.assign(state, running) as FakeSendGrid;
}
