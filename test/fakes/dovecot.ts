/**
 * A real IMAP server for the PEC tests: Debian's Dovecot (installed by scripts/setup.sh), started with its own
 * configuration under a temporary directory, listening on 127.0.0.1 on a free port, one mailbox user (the company's
 * PEC mailbox). It runs under `timeout`, so it stops by itself even if the test process dies.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../dev/ports';

export const DOVECOT = '/usr/sbin/dovecot';

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  stop(): Promise<void>;
}

const idOf = (flag: '-u' | '-g', name: string): number => Number(execFileSync('id', [flag, name]).toString().trim());

function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(1000);
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('* OK'));
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function startDovecot(opts: {
  user: string;
  password: string;
  lifetimeSeconds?: number;
}): Promise<Dovecot> {
  if (!fs.existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing: run scripts/setup.sh as root (dovecot-imapd)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-dovecot-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const root = process.getuid?.() === 0;
  // As root, Dovecot drops to its own system users; otherwise everything runs as the current user.
  const me = os.userInfo().username;
  const internal = root ? 'dovecot' : me;
  const login = root ? 'dovenull' : me;
  const mailUser = root ? 'dovecot' : me;
  const uid = idOf('-u', mailUser);
  const gid = idOf('-g', mailUser);
  for (const sub of ['run', 'state', 'mail', 'home']) fs.mkdirSync(path.join(dir, sub), { mode: 0o755 });
  if (root) {
    for (const sub of ['mail', 'home']) fs.chownSync(path.join(dir, sub), uid, gid);
  }
  fs.writeFileSync(path.join(dir, 'passwd'), `${opts.user}:{PLAIN}${opts.password}::::::\n`, { mode: 0o644 });
  const conf = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(
    conf,
    `# Test-only Dovecot: loopback, clear-text login, one passwd-file user.
protocols = imap
listen = 127.0.0.1
instance_name = segugio-test-${port}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${internal}
default_internal_group = ${root ? 'dovecot' : me}
default_login_user = ${login}
first_valid_uid = 1
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
${root ? '' : '  chroot =\n'}}
service imap {
${root ? '' : '  chroot =\n'}}
`,
  );
  const lifetime = String(opts.lifetimeSeconds ?? 900);
  const child: ChildProcess = spawn('timeout', ['--signal=TERM', lifetime, DOVECOT, '-F', '-c', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!(await banner(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = fs.existsSync(path.join(dir, 'dovecot.log'))
        ? fs.readFileSync(path.join(dir, 'dovecot.log'), 'utf8')
        : '';
      child.kill('SIGTERM');
      throw new Error(`dovecot did not start: ${stderr}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: '127.0.0.1',
    port,
    user: opts.user,
    password: opts.password,
    dir,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
