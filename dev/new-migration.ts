/**
 * Writes a new migration from the difference between the schema at a git revision (default HEAD) and
 * prisma/schema.prisma: `npm run db:migration -- <name> [revision]`. `prisma migrate diff` needs a database for the
 * Wasm schema engine even between two schema files, so a throw-away embedded PostgreSQL is started for it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPg } from './embedded-pg';
import { freePort } from './ports';
import { PROJECT_ROOT } from '../infra/tools';

async function main(): Promise<void> {
  const [name, revision = 'HEAD'] = process.argv.slice(2);
  if (!name || !/^[a-z0-9_]+$/.test(name))
    throw new Error('usage: npm run db:migration -- <snake_case_name> [git revision]');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-migration-'));
  fs.chmodSync(tmp, 0o755);
  const oldSchema = path.join(tmp, 'old.prisma');
  fs.writeFileSync(oldSchema, execFileSync('git', ['show', `${revision}:prisma/schema.prisma`], { cwd: PROJECT_ROOT }));
  const pg = await startEmbeddedPg({
    dataDir: path.join(tmp, 'pg'),
    port: await freePort(),
    database: 'diff',
    ephemeral: true,
  });
  try {
    const sql = execFileSync(
      path.join(PROJECT_ROOT, 'node_modules/.bin/prisma'),
      [
        'migrate',
        'diff',
        '--from-schema-datamodel',
        oldSchema,
        '--to-schema-datamodel',
        'prisma/schema.prisma',
        '--script',
      ],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, DATABASE_URL: pg.url },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (!sql.trim() || /This is an empty migration/.test(sql)) {
      console.log('no schema difference: nothing written');
      return;
    }
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join(PROJECT_ROOT, 'prisma/migrations', `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
    console.log(`wrote ${path.relative(PROJECT_ROOT, dir)}/migration.sql`);
  } finally {
    await pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
