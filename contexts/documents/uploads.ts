/**
 * Streaming uploads: the body goes to a temporary file under the data directory while its SHA-256 is computed, then
 * is renamed to its content address. Nothing is held in memory, and a size limit stops the stream early.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { badRequest, HttpError } from '../errors';

export interface StoredUpload {
  /** Final path: `<dir>/<sha256><ext>`. */
  path: string;
  sha256: string;
  sizeBytes: number;
  filename: string;
  mimeType: string;
  /** Form fields sent with a multipart upload. */
  fields: Record<string, string>;
  /** The first bytes of the file, for sniffing headers without reading it again. */
  head: Buffer;
}

const tooLarge = (limit: number) =>
  new HttpError(413, 'PAYLOAD_TOO_LARGE', `the file is larger than ${Math.round(limit / 1024 / 1024)} MiB`);

/** Copies `source` to a temp file in `dir`, hashing it; renames it to its hash. Removes the temp file on failure. */
export async function storeStream(
  source: Readable,
  dir: string,
  ext: string,
  limit: number,
): Promise<{ path: string; sha256: string; sizeBytes: number; head: Buffer }> {
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.upload-${crypto.randomBytes(8).toString('hex')}.tmp`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const heads: Buffer[] = [];
  let headLen = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) return cb(tooLarge(limit));
      if (headLen < 64 * 1024) {
        heads.push(chunk);
        headLen += chunk.length;
      }
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, fs.createWriteStream(tmp));
    if ((source as { truncated?: boolean }).truncated) throw tooLarge(limit);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  const sha256 = hash.digest('hex');
  const final = path.join(dir, `${sha256}${ext}`);
  await fs.promises.rename(tmp, final);
  return { path: final, sha256, sizeBytes: size, head: Buffer.concat(heads).subarray(0, 64 * 1024) };
}

const extOf = (filename: string): string => {
  const e = path.extname(filename).toLowerCase();
  return /^\.[a-z0-9]{1,8}$/.test(e) ? e : '';
};

/**
 * Reads one file from the request: `multipart/form-data` (field `file`, other fields returned) or a raw body whose
 * Content-Type names the file's type (e.g. `text/csv`). Throws 400 when no file is present.
 */
export async function receiveFile(
  req: Request,
  dir: string,
  opts: { limitBytes: number; defaultName: string; maxFields?: number },
): Promise<StoredUpload> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return receiveMultipart(req, dir, opts);
  if (!type || type.startsWith('application/json') || type.startsWith('application/x-www-form-urlencoded')) {
    throw badRequest('request is not valid', [
      {
        path: '(body)',
        message: 'send the file as multipart/form-data (field "file") or as the raw body with its Content-Type',
      },
    ]);
  }
  const rawName = String(req.query.filename ?? req.header('x-filename') ?? opts.defaultName);
  const filename = path.basename(rawName).slice(0, 200) || opts.defaultName;
  const stored = await storeStream(req, dir, extOf(filename), opts.limitBytes);
  if (stored.sizeBytes === 0) {
    await fs.promises.rm(stored.path, { force: true });
    throw badRequest('request is not valid', [{ path: 'file', message: 'the file is empty' }]);
  }
  return { ...stored, filename, mimeType: type.split(';')[0].trim(), fields: {} };
}

function receiveMultipart(
  req: Request,
  dir: string,
  opts: { limitBytes: number; defaultName: string; maxFields?: number },
): Promise<StoredUpload> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fileSize: opts.limitBytes, files: 1, fields: opts.maxFields ?? 10, fieldSize: 10_000, parts: 20 },
      });
    } catch {
      reject(badRequest('request is not valid', [{ path: '(body)', message: 'malformed multipart/form-data' }]));
      return;
    }
    const fields: Record<string, string> = {};
    let stored: Promise<Omit<StoredUpload, 'fields'>> | undefined;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      reject(err);
    };
    bb.on('field', (name, value) => {
      if (name.includes('\u0000') || value.includes('\u0000')) {
        fail(
          badRequest('request is not valid', [
            { path: name.split('\u0000').join(''), message: 'must not contain NUL characters' },
          ]),
        );
        return;
      }
      fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || stored) {
        stream.resume();
        return;
      }
      const filename =
        path.basename([...(info.filename || opts.defaultName)].filter((c) => c >= ' ').join('')).slice(0, 200) ||
        opts.defaultName;
      stream.on('limit', () => stream.destroy(tooLarge(opts.limitBytes)));
      stored = storeStream(stream, dir, extOf(filename), opts.limitBytes).then((s) => ({
        ...s,
        filename,
        mimeType: (info.mimeType || 'application/octet-stream').toLowerCase(),
      }));
      stored.catch(fail);
    });
    bb.on('error', () =>
      fail(badRequest('request is not valid', [{ path: '(body)', message: 'malformed multipart/form-data' }])),
    );
    bb.on('partsLimit', () =>
      fail(badRequest('request is not valid', [{ path: '(body)', message: 'too many parts' }])),
    );
    bb.on('close', () => {
      if (failed) return;
      if (!stored) {
        fail(badRequest('request is not valid', [{ path: 'file', message: 'a file field named "file" is required' }]));
        return;
      }
      stored.then(async (s) => {
        if (s.sizeBytes === 0) {
          await fs.promises.rm(s.path, { force: true });
          fail(badRequest('request is not valid', [{ path: 'file', message: 'the file is empty' }]));
          return;
        }
        resolve({ ...s, fields });
      }, fail);
    });
    req.pipe(bb);
  });
}

/** Removes a stored upload that turned out to be unwanted (bad fields, duplicate, refused content). */
export async function discardUpload(file: StoredUpload, keepIfReferenced: boolean): Promise<void> {
  if (!keepIfReferenced) await fs.promises.rm(file.path, { force: true });
}

/** Stores a file from any stream (the CLI's local file) exactly as an upload would be. */
export async function storeFile(
  source: Readable,
  dir: string,
  opts: { limitBytes: number; filename: string; mimeType: string },
): Promise<StoredUpload> {
  const stored = await storeStream(source, dir, extOf(opts.filename), opts.limitBytes);
  if (stored.sizeBytes === 0) {
    await fs.promises.rm(stored.path, { force: true });
    throw badRequest('request is not valid', [{ path: 'file', message: 'the file is empty' }]);
  }
  return { ...stored, filename: opts.filename, mimeType: opts.mimeType, fields: {} };
}
