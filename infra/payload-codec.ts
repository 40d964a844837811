/**
 * An encrypting Temporal payload codec (AES-256-GCM). Workflow inputs, signals, updates, query results and activity
 * arguments carry collectors' free-text notes and customers' contact data; with SEGUGIO_PAYLOAD_KEY set, the client
 * (API) and the worker both encrypt every payload before it reaches the Temporal server, so its history holds
 * ciphertext only. Payloads that are not encrypted pass through on decode, so histories recorded before the key was
 * set (and the recorded test histories) still replay. Operators read histories in the Temporal UI through the codec
 * endpoint the API serves (`POST /codec/decode`, docs/workflow.md "Encrypted payloads").
 */
import crypto from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const enc = new TextEncoder();
const dec = new TextDecoder();

export class AesGcmCodec implements PayloadCodec {
  private readonly key: Buffer;

  constructor(
    keyBase64: string,
    private readonly keyId = 'k1',
  ) {
    this.key = Buffer.from(keyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('SEGUGIO_PAYLOAD_KEY must be 32 bytes, base64-encoded');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: enc.encode(ENCRYPTED_ENCODING), [KEY_ID]: enc.encode(this.keyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const encoding = p.metadata?.encoding ? dec.decode(p.metadata.encoding) : undefined;
      if (encoding !== ENCRYPTED_ENCODING || !p.data) return p;
      const keyId = p.metadata?.[KEY_ID] ? dec.decode(p.metadata[KEY_ID]) : '';
      if (keyId !== this.keyId)
        throw new Error(`payload encrypted with key '${keyId}', this process has '${this.keyId}'`);
      const data = Buffer.from(p.data);
      const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/** The data converter of every client and worker of this process: the codec when a key is configured. */
export function dataConverterOf(config: { SEGUGIO_PAYLOAD_KEY?: string; SEGUGIO_PAYLOAD_KEY_ID?: string }): {
  payloadCodecs?: PayloadCodec[];
} {
  return config.SEGUGIO_PAYLOAD_KEY
    ? { payloadCodecs: [new AesGcmCodec(config.SEGUGIO_PAYLOAD_KEY, config.SEGUGIO_PAYLOAD_KEY_ID ?? 'k1')] }
    : {};
}
