/** docker-compose.yml stays valid for users, although no Docker engine runs here: `docker compose config` checks it. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const composeCli = (): string[] | null => {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return ['docker-compose'];
  return null;
};
const cli = composeCli();

describe('docker-compose.yml', () => {
  (cli ? it : it.skip)(`is valid according to ${cli?.join(' ') ?? 'docker compose (not installed here)'}`, () => {
    const [cmd, ...args] = cli as string[];
    const res = spawnSync(cmd, [...args, '-f', path.join(root, 'docker-compose.yml'), 'config'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        POSTGRES_PASSWORD: 'x',
        SENDGRID_FROM: 'crediti@example.com',
        LETTERHEAD_NAME: 'Example S.p.A.',
        LETTERHEAD_ADDRESS: 'Via Example 1|00100 Roma',
        LETTERHEAD_VAT: 'IT12345678901',
        LETTERHEAD_IBAN: 'IT60X0542811101000000123456',
        LETTERHEAD_EMAIL: 'crediti@example.com',
        SEGUGIO_PAYLOAD_KEY: Buffer.alloc(32, 7).toString('base64'),
      },
    });
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.status).toBe(0);
    for (const service of ['postgres', 'temporal', 'temporal-ui', 'api', 'worker', 'migrate']) {
      expect(res.stdout).toContain(`${service}:`);
    }
  });
});
