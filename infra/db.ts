/** One Prisma client per process, talking to PostgreSQL through the pg driver adapter (no native engine). */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

export function createDb(databaseUrl: string, poolSize = 10): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  return new PrismaClient({ adapter });
}

/** BigInt money columns leave the database as numbers; amounts stay below 2^53 minor units (validated on input). */
export const toNumber = (v: bigint | number | null | undefined): number => (v == null ? 0 : Number(v));
