/**
 * Twilio through the official SDK. TWILIO_BASE_URL (tests, proxies) is honoured with the SDK's own extension point,
 * a custom `httpClient`: a RequestClient subclass that rewrites https://<host>.twilio.com to the given base URL.
 */
import twilio from 'twilio';
import type { Language } from '../../../workflows/contract';

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from: string;
  baseUrl?: string;
}

type RequestOptions<T> = import('twilio/lib/base/RequestClient').RequestOptions<T>;

class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }
  override request<T>(opts: RequestOptions<T>) {
    const uri = opts.uri.replace(/^https:\/\/[a-z0-9.-]+\.twilio\.com/i, this.baseUrl.replace(/\/$/, ''));
    return super.request<T>({ ...opts, uri });
  }
}

export const VOICE_LANGUAGES: Record<Language, string> = { it: 'it-IT', en: 'en-GB', fr: 'fr-FR' };

export interface TwilioSent {
  sid: string;
  status: string;
}

export interface TwilioGateway {
  sendSms(input: { to: string; body: string; statusCallback?: string }): Promise<TwilioSent>;
  /** An automated call that speaks `text` in the customer's language. */
  sayCall(input: { to: string; text: string; lang: Language; statusCallback?: string }): Promise<TwilioSent>;
  /** Rings the collector first; when they answer, bridges them to the customer. */
  clickToCall(input: {
    agent: string;
    customer: string;
    whisper: string;
    lang: Language;
    statusCallback?: string;
  }): Promise<TwilioSent>;
  /** After a crash between the provider call and our DB update: a message we already sent with this exact body. */
  findMessage(input: { to: string; body: string; since: Date }): Promise<TwilioSent | null>;
  findCall(input: { to: string; since: Date }): Promise<TwilioSent | null>;
}

/** Spoken message as TwiML, built with the SDK's VoiceResponse (escaping included). */
export function sayTwiml(text: string, lang: Language): string {
  const r = new twilio.twiml.VoiceResponse();
  r.pause({ length: 1 });
  r.say({ language: VOICE_LANGUAGES[lang] as 'it-IT' }, text);
  r.pause({ length: 1 });
  r.say({ language: VOICE_LANGUAGES[lang] as 'it-IT' }, text);
  return r.toString();
}

export function bridgeTwiml(whisper: string, customer: string, callerId: string, lang: Language): string {
  const r = new twilio.twiml.VoiceResponse();
  r.say({ language: VOICE_LANGUAGES[lang] as 'it-IT' }, whisper);
  r.dial({ callerId }, customer);
  return r.toString();
}

export function createTwilioGateway(s: TwilioSettings): TwilioGateway {
  const client = twilio(s.accountSid, s.authToken, {
    ...(s.baseUrl ? { httpClient: new BaseUrlRequestClient(s.baseUrl) } : {}),
    autoRetry: true,
    maxRetries: 2,
  });
  const callbackOpts = (url?: string) =>
    url ? { statusCallback: url, statusCallbackEvent: ['completed'], statusCallbackMethod: 'POST' as const } : {};
  return {
    async sendSms({ to, body, statusCallback }) {
      const msg = await client.messages.create({
        to,
        from: s.from,
        body,
        ...(statusCallback ? { statusCallback } : {}),
      });
      return { sid: msg.sid, status: msg.status };
    },
    async sayCall({ to, text, lang, statusCallback }) {
      const call = await client.calls.create({
        to,
        from: s.from,
        twiml: sayTwiml(text, lang),
        ...callbackOpts(statusCallback),
      });
      return { sid: call.sid, status: call.status };
    },
    async clickToCall({ agent, customer, whisper, lang, statusCallback }) {
      const call = await client.calls.create({
        to: agent,
        from: s.from,
        twiml: bridgeTwiml(whisper, customer, s.from, lang),
        ...callbackOpts(statusCallback),
      });
      return { sid: call.sid, status: call.status };
    },
    async findMessage({ to, body, since }) {
      const list = await client.messages.list({ to, from: s.from, limit: 50 });
      const hit = list.find((m) => m.body === body && m.dateCreated && m.dateCreated.getTime() >= since.getTime());
      return hit ? { sid: hit.sid, status: hit.status } : null;
    },
    async findCall({ to, since }) {
      const list = await client.calls.list({ to, from: s.from, limit: 50 });
      const hit = list.find((c) => c.dateCreated && c.dateCreated.getTime() >= since.getTime());
      return hit ? { sid: hit.sid, status: hit.status } : null;
    },
  };
}
