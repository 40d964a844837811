/**
 * Prisma CLI configuration. Migrations run on the Wasm schema engine through the pg driver adapter (`engine: 'js'`),
 * so the CLI never downloads a native engine. The default URL lets `prisma generate` build the adapter offline.
 */
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// schema.prisma reads env("DATABASE_URL"); without a value the CLI falls back to downloading an engine.
const url = (process.env.DATABASE_URL ??= 'postgresql://segugio:segugio@127.0.0.1:5432/segugio');

export default defineConfig({
  experimental: { adapter: true },
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  engine: 'js',
  adapter: async () => new PrismaPg({ connectionString: url }),
});
