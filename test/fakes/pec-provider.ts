/**
 * A PEC provider for the tests: a real SMTP submission server (the `smtp-server` package) that, for each message it
 * accepts, writes the receipts a PEC provider writes — ricevuta di accettazione, then avvenuta consegna or avviso di
 * mancata consegna — into the sender's real IMAP mailbox (Dovecot, through IMAP APPEND). Receipts follow the
 * technical rules of DPR 68/2005 (DM 2 November 2005, annex): `X-Ricevuta`, `X-Riferimento-Message-ID`, a
 * `daticert.xml` attachment with `<postacert tipo>`, `<data zona>`, `<identificativo>`, `<msgid>`, `<consegna>`.
 * Given a test CA (test/fakes/pec-ca.ts), it signs every receipt with S/MIME as real providers do; `forge` makes it
 * write a delivery receipt a person must look at: altered after signing, unsigned, or signed by an unknown CA.
 */
import crypto from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../dev/ports';
import { smimeSign, type TestPecCa } from './pec-ca';

export type Outcome = 'deliver' | 'fail' | 'hold';
/** How the next delivery receipts are forged: changed after signing, not signed, signed by a CA nobody trusts. */
export type Forgery = 'tamper' | 'unsigned' | 'stranger' | null;

export interface Submitted {
  from: string;
  to: string[];
  messageId: string;
  subject: string;
  raw: Buffer;
  identificativo: string;
}

export interface FakePecProvider {
  host: string;
  port: number;
  submitted: Submitted[];
  /** What happens to each recipient (default: deliver). */
  outcome: (recipient: string) => Outcome;
  /** Forges the delivery receipts written from now on (null: genuine ones). */
  forge: Forgery;
  /** The delivery receipts of held messages, written now (after a worker restart, for instance). */
  releaseHeld(at?: Date): Promise<void>;
  /** Writes one receipt again, as a provider retrying its delivery to our mailbox would. */
  duplicateLast(kind: 'avvenuta-consegna' | 'errore-consegna' | 'accettazione'): Promise<void>;
  close(): Promise<void>;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `dd/mm/yyyy`, `hh:mm:ss` and `+0100` of an instant in Europe/Rome, as the daticert wants them. */
function romeParts(at: Date): { giorno: string; ora: string; zona: string } {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Rome',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(at)) p[x.type] = x.value;
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offsetMin = Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return {
    giorno: `${p.day}/${p.month}/${p.year}`,
    ora: `${p.hour}:${p.minute}:${p.second}`,
    zona: `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`,
  };
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function daticert(
  tipo: string,
  m: Submitted,
  recipient: string,
  at: Date,
  extra: { errore?: string; erroreEsteso?: string } = {},
): string {
  const d = romeParts(at);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE postacert SYSTEM "Postacert.dtd">
<postacert tipo="${tipo}" errore="${extra.errore ?? 'nessuno'}">
  <intestazione>
    <mittente>${xml(m.from)}</mittente>
    <destinatari tipo="certificato">${xml(recipient)}</destinatari>
    <risposte>${xml(m.from)}</risposte>
    <oggetto>${xml(m.subject)}</oggetto>
  </intestazione>
  <dati>
    <gestore-emittente>Gestore PEC di prova S.p.A.</gestore-emittente>
    <data zona="${d.zona}">
      <giorno>${d.giorno}</giorno>
      <ora>${d.ora}</ora>
    </data>
    <identificativo>${xml(m.identificativo)}</identificativo>
    <msgid>&lt;${xml(m.messageId)}&gt;</msgid>
${tipo === 'avvenuta-consegna' ? '    <ricevuta tipo="completa"/>\n' : ''}${tipo === 'avvenuta-consegna' || tipo === 'errore-consegna' ? `    <consegna>${xml(recipient)}</consegna>\n` : ''}${extra.erroreEsteso ? `    <errore-esteso>${xml(extra.erroreEsteso)}</errore-esteso>\n` : ''}  </dati>
</postacert>
`;
}

const SUBJECT: Record<string, string> = {
  accettazione: 'ACCETTAZIONE',
  'avvenuta-consegna': 'CONSEGNA',
  'errore-consegna': 'AVVISO DI MANCATA CONSEGNA',
};

const b64 = (s: string | Buffer): string =>
  (typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('base64').replace(/.{1,76}/g, '$&\r\n');

async function receiptEml(
  tipo: string,
  m: Submitted,
  recipient: string,
  at: Date,
  extra: { erroreEsteso?: string } = {},
  sign?: { ca: TestPecCa; forge: Forgery },
): Promise<Buffer> {
  const d = romeParts(at);
  const boundary = `pec-${crypto.randomBytes(6).toString('hex')}`;
  const cert = daticert(tipo, m, recipient, at, tipo === 'errore-consegna' ? { errore: 'no-dest', ...extra } : extra);
  const body =
    tipo === 'accettazione'
      ? `Ricevuta di accettazione\r\n\r\nIl giorno ${d.giorno} alle ore ${d.ora} (${d.zona}) il messaggio\r\n"${m.subject}" proveniente da "${m.from}"\r\ned indirizzato a:\r\n${recipient} ("posta certificata")\r\nè stato accettato dal sistema ed inoltrato.\r\nIdentificativo messaggio: ${m.identificativo}\r\n`
      : tipo === 'avvenuta-consegna'
        ? `Ricevuta di avvenuta consegna\r\n\r\nIl giorno ${d.giorno} alle ore ${d.ora} (${d.zona}) il messaggio\r\n"${m.subject}" proveniente da "${m.from}"\r\ned indirizzato a "${recipient}"\r\nè stato consegnato nella casella di destinazione.\r\nIdentificativo messaggio: ${m.identificativo}\r\n`
        : `Avviso di mancata consegna\r\n\r\nIl giorno ${d.giorno} alle ore ${d.ora} (${d.zona}) nel messaggio\r\n"${m.subject}" proveniente da "${m.from}"\r\ned indirizzato a:\r\n${recipient}\r\nè stato rilevato un problema che ne impedisce la consegna (${extra.erroreEsteso ?? ''}).\r\nIdentificativo messaggio: ${m.identificativo}\r\n`;
  const parts = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(body),
    `--${boundary}`,
    'Content-Type: application/xml; name="daticert.xml"',
    'Content-Disposition: inline; filename="daticert.xml"',
    'Content-Transfer-Encoding: base64',
    '',
    b64(cert),
  ];
  if (tipo === 'avvenuta-consegna') {
    // A "completa" delivery receipt carries the original message (postacert.eml).
    parts.push(
      `--${boundary}`,
      'Content-Type: message/rfc822; name="postacert.eml"',
      'Content-Disposition: attachment; filename="postacert.eml"',
      '',
      m.raw.toString('utf8'),
    );
  }
  parts.push(`--${boundary}--`, '');
  const subject = `${SUBJECT[tipo]}: ${m.subject}`;
  const headers = [
    `Return-Path: <posta-certificata@pec.gestore.test>`,
    `From: "Per conto di: ${m.from}" <posta-certificata@pec.gestore.test>`,
    `To: ${m.from}`,
    `Subject: =?UTF-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`,
    `Date: ${at.toUTCString()}`,
    `Message-ID: <opec.${tipo}.${crypto.randomBytes(8).toString('hex')}@pec.gestore.test>`,
    `X-Ricevuta: ${tipo}`,
    `X-Riferimento-Message-ID: <${m.messageId}>`,
  ].join('\r\n');
  const entity = [`Content-Type: multipart/mixed; boundary="${boundary}"`, '', parts.join('\r\n')].join('\r\n');
  const forge = tipo === 'avvenuta-consegna' ? (sign?.forge ?? null) : null;
  if (!sign || forge === 'unsigned') {
    return Buffer.from(`${headers}\r\nMIME-Version: 1.0\r\n${entity}`);
  }
  const signer =
    forge === 'stranger'
      ? { certFile: sign.ca.strangerCertFile, keyFile: sign.ca.strangerKeyFile }
      : { certFile: sign.ca.certFile, keyFile: sign.ca.keyFile };
  let signed = (await smimeSign(Buffer.from(entity), signer)).toString('utf8');
  if (forge === 'tamper') {
    // The certified time moved a day earlier after the provider signed: the digest no longer matches.
    const altered = cert.replace(
      /<giorno>(\d{2})/,
      (_, dd: string) => `<giorno>${String(Math.max(1, Number(dd) - 1)).padStart(2, '0')}`,
    );
    signed = signed.replace(b64(cert), b64(altered === cert ? cert.replace('</ora>', ' </ora>') : altered));
  }
  return Buffer.from(`${headers}\r\n${signed}`);
}

export async function startFakePecProvider(opts: {
  user: string;
  password: string;
  imap: { host: string; port: number };
  /** Signs every receipt with this test CA's provider certificate (real providers always sign). */
  ca?: TestPecCa;
}): Promise<FakePecProvider> {
  const port = await freePort();
  const submitted: Submitted[] = [];
  const held: Array<{ m: Submitted; recipient: string }> = [];
  let last: { m: Submitted; recipient: string; at: Date } | null = null;

  const eml = (tipo: string, m: Submitted, recipient: string, at: Date, extra: { erroreEsteso?: string } = {}) =>
    receiptEml(tipo, m, recipient, at, extra, opts.ca ? { ca: opts.ca, forge: provider.forge } : undefined);

  const append = async (raw: Buffer): Promise<void> => {
    const c = new ImapFlow({
      host: opts.imap.host,
      port: opts.imap.port,
      secure: false,
      doSTARTTLS: false,
      auth: { user: opts.user, pass: opts.password },
      logger: false,
    });
    await c.connect();
    try {
      await c.append('INBOX', raw);
    } finally {
      await c.logout().catch(() => undefined);
    }
  };

  const provider: FakePecProvider = {
    host: '127.0.0.1',
    port,
    submitted,
    outcome: () => 'deliver',
    forge: null,
    async releaseHeld(at = new Date()) {
      for (const h of held.splice(0, held.length)) {
        last = { m: h.m, recipient: h.recipient, at };
        await append(await eml('avvenuta-consegna', h.m, h.recipient, at));
      }
    },
    async duplicateLast(kind) {
      if (!last) throw new Error('no receipt written yet');
      const extra = kind === 'errore-consegna' ? { erroreEsteso: '5.1.1 - Utente non riconosciuto' } : {};
      await append(await eml(kind, last.m, last.recipient, last.at, extra));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const server = new SMTPServer({
    // Loopback test server: no TLS, login in clear (the client is configured with PEC_SMTP_TLS=none).
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.user && auth.password === opts.password) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onMailFrom(address, _session, cb) {
      // A PEC provider accepts only its own mailbox as sender (non-accettazione otherwise).
      if (address.address.toLowerCase() !== opts.user.toLowerCase()) {
        const err = new Error('5.7.1 sender not allowed') as Error & { responseCode: number };
        err.responseCode = 553;
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void (async () => {
          const mail = await simpleParser(raw);
          const m: Submitted = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            messageId: (mail.messageId ?? '').replace(/^<|>$/g, ''),
            subject: mail.subject ?? '',
            raw,
            identificativo: `opec.${Date.now()}.${crypto.randomBytes(4).toString('hex')}@pec.gestore.test`,
          };
          submitted.push(m);
          const now = new Date();
          for (const recipient of m.to) {
            await append(await eml('accettazione', m, recipient, now));
            last = { m, recipient, at: now };
            const outcome = provider.outcome(recipient);
            if (outcome === 'deliver') {
              await append(await eml('avvenuta-consegna', m, recipient, new Date(now.getTime() + 1000)));
              last = { m, recipient, at: new Date(now.getTime() + 1000) };
            } else if (outcome === 'fail') {
              const extra = { erroreEsteso: '5.1.1 - Utente non riconosciuto' };
              await append(await eml('errore-consegna', m, recipient, new Date(now.getTime() + 1000), extra));
              last = { m, recipient, at: new Date(now.getTime() + 1000) };
            } else {
              held.push({ m, recipient });
            }
          }
          cb();
        })().catch((err: Error) => cb(err));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return provider;
}
