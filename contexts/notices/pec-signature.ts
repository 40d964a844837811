/**
 * The PEC provider's signature on a receipt. Every receipt a PEC provider issues is an S/MIME signed message
 * (`multipart/signed`, the signature as `smime.p7s`) signed with the provider's certificate (DPR 68/2005 art. 9: the
 * provider signs receipts and envelopes with its own signature key; the technical rules of DM 2 November 2005 fix the
 * S/MIME format). A receipt whose signature is missing, broken or not traceable to a trusted CA proves nothing: the
 * reader records it as evidence, changes no contact's status and opens a task for a person.
 *
 * The check is OpenSSL's own (`openssl cms -verify`, run with `execFile`, no shell): the signature over the signed
 * part, the signer's certificate chain up to a CA of `PEC_RECEIPT_CA_FILE` (PEM, the CAs that issue the PEC providers'
 * certificates — AgID's list of accredited providers names them), and the certificate's validity period. The daticert
 * the reader trusts is the one inside the signed part, which OpenSSL returns as the verified content.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type SignatureCheck =
  /** Signed by a certificate that chains to a trusted CA; `content` is the signed MIME entity as verified. */
  | { status: 'VALID'; signer: string; content: Buffer }
  /** No S/MIME signature at all (not multipart/signed nor application/pkcs7-mime). */
  | { status: 'UNSIGNED'; reason: string }
  /** Signed, but the signature does not verify: content changed, unknown CA, expired certificate. */
  | { status: 'INVALID'; reason: string };

const SIGNED = /^content-type:\s*(multipart\/signed|application\/(x-)?pkcs7-mime)/im;

/** The top-level headers of a raw message (up to the first empty line). */
function headersOf(raw: Buffer): string {
  const text = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  // Folded header lines are joined so that a Content-Type split over two lines still matches.
  return (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      const raw = (err as { code?: unknown } | null)?.code;
      // A missing binary comes back as the string ENOENT, not an exit status.
      const code = !err ? 0 : typeof raw === 'number' ? raw : raw === 'ENOENT' ? 127 : 1;
      resolve({ code, stderr: String(stderr) });
    });
  });
}

/** The subject of the first certificate in a PEM/PKCS#7 signer file written by `-signer`. */
async function subjectOf(pemFile: string): Promise<string> {
  try {
    const pem = await fs.readFile(pemFile, 'utf8');
    const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
    return first ? new crypto.X509Certificate(first).subject.replace(/\n/g, ', ') : '';
  } catch {
    return '';
  }
}

/**
 * Verifies the S/MIME signature of a raw receipt against the CAs in `caFile`. Never throws for a bad receipt: the
 * answer says why it is not trusted. Throws only when OpenSSL itself cannot be run (a broken installation must fail
 * the activity and be retried, not turn every receipt into a task).
 */
export async function verifyPecSignature(
  raw: Buffer,
  opts: { caFile: string; openssl?: string; timeoutMs?: number },
): Promise<SignatureCheck> {
  if (!SIGNED.test(headersOf(raw))) return { status: 'UNSIGNED', reason: 'the receipt carries no S/MIME signature' };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'segugio-pec-verify-'));
  try {
    const input = path.join(dir, 'receipt.eml');
    const content = path.join(dir, 'content.mime');
    const signer = path.join(dir, 'signer.pem');
    await fs.writeFile(input, raw);
    const { code, stderr } = await run(
      opts.openssl ?? 'openssl',
      // -purpose any: providers' certificates carry various key usages (signing, e-mail protection); the chain to a
      // trusted CA, the signature and the validity dates are what proves the receipt.
      [
        'cms',
        '-verify',
        '-inform',
        'SMIME',
        '-in',
        input,
        '-CAfile',
        opts.caFile,
        '-purpose',
        'any',
        '-out',
        content,
        '-signer',
        signer,
      ],
      opts.timeoutMs ?? 15_000,
    );
    if (code === 127) {
      throw new Error(`openssl could not be run to verify a PEC receipt: ${stderr.trim() || `exit ${code}`}`);
    }
    if (code !== 0) {
      return { status: 'INVALID', reason: firstReason(stderr) };
    }
    return { status: 'VALID', signer: await subjectOf(signer), content: await fs.readFile(content) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** OpenSSL's reason in a few words ("digest failure", "certificate verify error: unable to get local issuer…"). */
function firstReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const verify = lines.find((l) => /Verify error|verify error/i.test(l));
  const failure = lines.find((l) => /failure|error:/i.test(l));
  const msg = (verify ?? failure ?? lines[0] ?? 'signature not verified').replace(/^[0-9A-F]+:error:[^:]*:/, '');
  return msg.length > 200 ? `${msg.slice(0, 200)}…` : msg;
}
