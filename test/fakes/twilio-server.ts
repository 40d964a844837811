/**
 * A fake Twilio REST API (2010-04-01): Messages.json and Calls.json, create (201) and list (filtered by To/From),
 * with HTTP basic auth by account SID and auth token. Every create request is recorded for assertions.
 */
import crypto from 'node:crypto';
import express from 'express';
import { listen, type RunningFake } from './http';

export interface TwilioCreateRequest {
  kind: 'message' | 'call';
  params: Record<string, string | string[]>;
  sid: string;
  dateCreated: Date;
}

export interface FakeTwilio extends RunningFake {
  requests: TwilioCreateRequest[];
  /** Next create answers with this status (and a Twilio error body) instead of 201. */
  failNext: number | null;
}

export async function startFakeTwilio(accountSid: string, authToken: string): Promise<FakeTwilio> {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const state = { requests: [] as TwilioCreateRequest[], failNext: null as number | null };
  const base = `/2010-04-01/Accounts/${accountSid}`;

  app.use((req, res, next) => {
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    if (req.get('authorization') !== expected) {
      res.status(401).json({
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
      return;
    }
    next();
  });

  const resource = (r: TwilioCreateRequest): Record<string, unknown> => {
    const common = {
      sid: r.sid,
      account_sid: accountSid,
      to: r.params.To,
      from: r.params.From,
      status: 'queued',
      date_created: r.dateCreated.toUTCString(),
      date_updated: r.dateCreated.toUTCString(),
      api_version: '2010-04-01',
    };
    return r.kind === 'message'
      ? {
          ...common,
          body: r.params.Body,
          num_segments: '1',
          direction: 'outbound-api',
          uri: `${base}/Messages/${r.sid}.json`,
        }
      : { ...common, direction: 'outbound-api', uri: `${base}/Calls/${r.sid}.json` };
  };

  const create = (kind: 'message' | 'call') => (req: express.Request, res: express.Response) => {
    if (state.failNext) {
      const status = state.failNext;
      state.failNext = null;
      res.status(status).json({ code: 21211, message: "The 'To' number is not a valid phone number.", status });
      return;
    }
    const params = req.body as Record<string, string>;
    if (!params.To || !params.From || (kind === 'message' ? !params.Body : !params.Twiml && !params.Url)) {
      res.status(400).json({ code: 21604, message: 'A required parameter is missing', status: 400 });
      return;
    }
    const r: TwilioCreateRequest = {
      kind,
      params,
      sid: `${kind === 'message' ? 'SM' : 'CA'}${crypto.randomBytes(16).toString('hex')}`,
      dateCreated: new Date(),
    };
    state.requests.push(r);
    res.status(201).json(resource(r));
  };

  const list =
    (kind: 'message' | 'call', key: 'messages' | 'calls') => (req: express.Request, res: express.Response) => {
      const hits = state.requests
        .filter((r) => r.kind === kind)
        .filter((r) => !req.query.To || r.params.To === req.query.To)
        .filter((r) => !req.query.From || r.params.From === req.query.From)
        .reverse();
      res.json({
        [key]: hits.map(resource),
        page: 0,
        page_size: hits.length,
        first_page_uri: req.originalUrl,
        next_page_uri: null,
        previous_page_uri: null,
        uri: req.originalUrl,
        start: 0,
        end: hits.length,
      });
    };

  app.post(`${base}/Messages.json`, create('message'));
  app.post(`${base}/Calls.json`, create('call'));
  app.get(`${base}/Messages.json`, list('message', 'messages'));
  app.get(`${base}/Calls.json`, list('call', 'calls'));

  const running = await listen(app);
  return Object.assign(state, running) as FakeTwilio;
}
