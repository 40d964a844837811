/**
 * A certification authority made for one test run, and a PEC provider certificate it issues, both with the real
 * `openssl` CLI: the fake provider signs its receipts with them (S/MIME, as real providers do) and Segugio verifies
 * against the CA (PEC_RECEIPT_CA_FILE). A second, unrelated CA stands for a signer Segugio does not trust.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestPecCa {
  dir: string;
  /** The CA certificate (PEM): PEC_RECEIPT_CA_FILE. */
  caFile: string;
  /** The provider's signing certificate and key, issued by the CA. */
  certFile: string;
  keyFile: string;
  /** A provider certificate and key issued by another CA, which Segugio does not trust. */
  strangerCertFile: string;
  strangerKeyFile: string;
}

function openssl(args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'openssl',
      args,
      { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => (err ? reject(new Error(`openssl ${args[0]}: ${stderr.toString()}`)) : resolve(stdout)),
    );
    if (input) child.stdin?.end(input);
  });
}

async function issue(dir: string, name: string, subject: string): Promise<{ ca: string; cert: string; key: string }> {
  const f = (x: string) => path.join(dir, `${name}-${x}`);
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    `/CN=${name} test PEC CA`,
  ]);
  await openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('key.pem'),
    '-out',
    f('csr.pem'),
    '-subj',
    subject,
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    f('csr.pem'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('cert.pem'),
    '-days',
    '2',
  ]);
  return { ca: f('ca.pem'), cert: f('cert.pem'), key: f('key.pem') };
}

export async function createTestPecCa(): Promise<TestPecCa> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-pec-ca-'));
  const [trusted, stranger] = await Promise.all([
    issue(dir, 'trusted', '/O=Gestore PEC di prova S.p.A./CN=posta-certificata@pec.gestore.test'),
    issue(dir, 'stranger', '/O=Gestore sconosciuto/CN=posta-certificata@pec.altro.test'),
  ]);
  return {
    dir,
    caFile: trusted.ca,
    certFile: trusted.cert,
    keyFile: trusted.key,
    strangerCertFile: stranger.cert,
    strangerKeyFile: stranger.key,
  };
}

/** Clear-signs a MIME entity (S/MIME multipart/signed, CRLF lines): the MIME-Version and Content-Type headers, then the body. */
export function smimeSign(entity: Buffer, signer: { certFile: string; keyFile: string }): Promise<Buffer> {
  return openssl(
    [
      'smime',
      '-sign',
      '-signer',
      signer.certFile,
      '-inkey',
      signer.keyFile,
      '-outform',
      'SMIME',
      '-crlfeol',
      '-md',
      'sha256',
    ],
    entity,
  );
}
