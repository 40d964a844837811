/**
 * Passwords: argon2id through `@node-rs/argon2` (the reference implementation compiled to a native module shipped
 * inside the npm package, nothing built or downloaded at install). Parameters are OWASP's minimum for argon2id
 * (19 MiB, 2 passes, 1 lane): about 20–40 ms per hash on this project's machines, which bounds what a sign-in costs.
 */
import { hash, verify } from '@node-rs/argon2';

const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Shortest and longest password accepted (NIST SP 800-63B: length over composition rules; a cap bounds hashing). */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export const hashPassword = (password: string): Promise<string> => hash(password, PARAMS);

/** True when `password` matches the PHC string `stored`; a malformed hash is a mismatch, never an exception. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Spends the time of one verification when there is no account (or no password) to check against, so the answer's
 * timing does not tell which e-mail addresses have an account.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummy ??= hashPassword('segugio: no such account');
  await verifyPassword(await dummy, password);
  return false;
}
