/**
 * Limits on what a JSON body may look like before it is parsed: nesting depth. A body nested thousands of levels
 * deep is a few kilobytes, passes the size limit, and overflows the stack of every recursive walk after the parser
 * (validation, NUL check); it is refused as a 400 before JSON.parse sees it.
 */
export const MAX_JSON_DEPTH = 32;

/** True when the JSON text nests objects/arrays deeper than `max` (brackets inside strings do not count). */
export function jsonTooDeep(buf: Buffer, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** express.json `verify` hook: a too-deep body becomes a 400 (`type: entity.too.deep`) for the error middleware. */
export function verifyJsonDepth(_req: unknown, _res: unknown, buf: Buffer): void {
  if (jsonTooDeep(buf)) {
    throw Object.assign(new Error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), {
      status: 400,
      type: 'entity.too.deep',
    });
  }
}
